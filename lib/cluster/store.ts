/**
 * What the cluster agent needs from the shared database. The PostgreSQL implementation is
 * lib/cluster/pg-store.ts; unit tests drive the agent with an in-memory one.
 */
export type TNodeRegistration = { id: string; name: string; url: string; version: string };

export type TClusterSettingsRow = {
  intervalMs: number;
  failoverHeartbeats: number;
  activeNodeCount: number;
  settingsVersion: number;
  previousIntervalMs: number;
  previousWindowMs: number;
  sinceChangeMs: number;
};

export type THeartbeatInput = {
  nodeId: string;
  /** the slot and epoch this node holds, to renew; null for a standby */
  lease: { slot: number; epoch: number } | null;
  /**
   * Clock skew measured on the previous heartbeat: the database clock minus this node's wall
   * clock, in ms (positive when the node's clock is behind). Any value is accepted and shown,
   * however far off: liveness never depends on it.
   */
  skewMs: number | null;
  /** the configuration this node runs (loaded at start) and has on disk now */
  configuration: TReportedConfiguration | null;
  /**
   * Why the configuration could not be read for this heartbeat (configuration is null then);
   * null or absent when it could, or when the node reports none.
   */
  configurationError?: string | null;
  /**
   * With a lease: also record, under the lease this heartbeat renews and in the same statement,
   * the liveness stage of members that stopped heartbeating (an active node's duty). Ignored
   * without a lease, and when the renewal fails.
   */
  observe?: TObserveThresholds | null;
};

/** A member is LATE once its last heartbeat is lateAfterMs old, NOT_RESPONDING at notRespondingAfterMs (database clock). */
export type TObserveThresholds = { lateAfterMs: number; notRespondingAfterMs: number };

/**
 * What a node reports about its configuration on each heartbeat. The documents are stored only
 * when a fingerprint changes (they feed the field-level difference on the page).
 */
export type TReportedConfiguration = {
  active: string;
  pending: string;
  activeDocument: unknown;
  pendingDocument: unknown;
  /** what is on disk differs from what this node last received from a push (or started with) */
  localChanges: boolean;
  /** this node keeps its own certificate: a push does not overwrite it */
  keepsOwnCertificate: boolean;
};

export type THeartbeatResult = {
  /** false when the node is unknown or was removed: it must stop taking part */
  accepted: boolean;
  settings: TClusterSettingsRow;
  maintenance: boolean;
  /** the lease was extended (only when one was given) */
  renewed: boolean;
  /** an operator asked this node to hand its slot to another node */
  handoverRequested: boolean;
  /** slots below the active count that nobody holds and that are not reserved for someone else */
  freeSlots: number;
  /** a slot is reserved for this node by a hand-over */
  handoverForMe: boolean;
  /** database time until the earliest other lease (below the active count) runs out */
  nextExpiryMs: number | null;
  /** database clock, milliseconds since the Unix epoch */
  dbNowMs: number;
  /** an operator or a rolling reset asked this process (started before the request) to restart */
  restartRequested: boolean;
  /** members whose liveness stage this heartbeat recorded (LATE, NOT_RESPONDING): only with observe and a renewed lease */
  observedChanges: number;
  /**
   * This heartbeat committed without waiting for its WAL to reach the disk: only a standby's
   * (no lease in it) that noted no database identity. Never one that renewed a lease.
   */
  asynchronousCommit: boolean;
  /** the newest pushed configuration version (the reference), null before the first push */
  referenceVersion: number | null;
  /**
   * The identity of the database server that took this heartbeat (system identifier, timeline),
   * and how many failovers the cluster has seen: a count that moves is a database failover.
   */
  database: TDatabaseIdentity;
};

export type TDatabaseIdentity = { systemId: string; timeline: number; failovers: number };

export type TClaim = { slot: number; epoch: number; windowMs: number; intervalMs: number };
/**
 * What a claim answers: the slot taken, or how long until this node may try again (a member
 * ahead in line still has its grace to take the slot), or null (nothing for this node).
 */
export type TClaimAnswer = TClaim | { waitMs: number } | null;

/** 'fenced': the node fenced itself while a renewal was on its way, and hands back what it renewed. */
export type TReleaseReason = 'stopping' | 'maintenance' | 'surplus' | 'handover' | 'fenced';

export interface TClusterStore {
  register(node: TNodeRegistration): Promise<'registered' | 'refused'>;
  /** One statement: a standby's, or an active node's with its renewal and its observation of silent members. */
  heartbeat(input: THeartbeatInput): Promise<THeartbeatResult>;
  /**
   * Takes a free slot when this node is next in line, or when the members ahead of it let the
   * grace pass without claiming; bumps the cluster epoch. One statement: it holds no lock
   * across a round trip.
   */
  claim(nodeId: string, lateAfterMs: number, graceMs: number): Promise<TClaimAnswer>;
  release(nodeId: string, lease: { slot: number; epoch: number }, reason: TReleaseReason): Promise<boolean>;
  /** A clean stop: hands back the slot (if any) and takes the node out of line until it registers again. */
  leave(nodeId: string, lease: { slot: number; epoch: number } | null): Promise<void>;
  /** Records an event once: a retry with the same details (after a lost answer) adds nothing. */
  recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
