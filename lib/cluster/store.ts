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
  /** clock skew against the database measured on the previous heartbeat */
  skewMs: number | null;
  /** the configuration this node runs (loaded at start) and has on disk now */
  configuration: TReportedConfiguration | null;
};

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
  /** the newest pushed configuration version (the reference), null before the first push */
  referenceVersion: number | null;
};

export type TClaim = { slot: number; epoch: number; windowMs: number; intervalMs: number };

export type TReleaseReason = 'stopping' | 'maintenance' | 'surplus' | 'handover';

export interface TClusterStore {
  register(node: TNodeRegistration): Promise<'registered' | 'refused'>;
  heartbeat(input: THeartbeatInput): Promise<THeartbeatResult>;
  /** Takes a free slot when this node is next in line; bumps the cluster epoch. */
  claim(nodeId: string, lateAfterMs: number): Promise<TClaim | null>;
  release(nodeId: string, lease: { slot: number; epoch: number }, reason: TReleaseReason): Promise<boolean>;
  /** A clean stop: hands back the slot (if any) and takes the node out of line until it registers again. */
  leave(nodeId: string, lease: { slot: number; epoch: number } | null): Promise<void>;
  /** Records LATE / NOT_RESPONDING transitions of other members (an active node's duty, under its epoch). */
  observe(nodeId: string, epoch: number, thresholds: { lateAfterMs: number; notRespondingAfterMs: number }): Promise<number>;
  recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
