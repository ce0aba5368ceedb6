/**
 * An in-memory cluster for unit tests: one timeline that plays the database clock and every
 * node's clocks, and a store with the same rules as the SQL in lib/cluster/heartbeat-sql.ts and pg-store.ts.
 */
import type { TClock } from '@/lib/cluster/clock';
import type {
  TClaimAnswer,
  TClusterStore,
  THeartbeatInput,
  THeartbeatResult,
  TNodeRegistration,
  TObserveThresholds,
  TReleaseReason,
} from '@/lib/cluster/store';

/** A heartbeat's answer for pure decisions: an accepted, renewed heartbeat of a quiet cluster, with CHANGE. */
export function heartbeatResult(change: Partial<THeartbeatResult> = {}): THeartbeatResult {
  return {
    accepted: true,
    settings: {
      intervalMs: 1_000,
      failoverHeartbeats: 5,
      activeNodeCount: 1,
      settingsVersion: 1,
      previousIntervalMs: 1_000,
      previousWindowMs: 5_000,
      sinceChangeMs: 60_000,
    },
    maintenance: false,
    renewed: true,
    handoverRequested: false,
    freeSlots: 0,
    handoverForMe: false,
    nextExpiryMs: null,
    dbNowMs: 0,
    restartRequested: false,
    observedChanges: 0,
    asynchronousCommit: false,
    referenceVersion: null,
    database: { systemId: '7000000000000000001', timeline: 1, failovers: 0 },
    ...change,
  };
}

type TTimer = { due: number; fn: () => void; owner: string; cancelled: boolean };

export class Timeline {
  now = 1_000_000;
  private timers: TTimer[] = [];
  readonly paused = new Set<string>();

  clock(owner: string): TClock {
    return {
      monotonicMs: () => this.now,
      wallMs: () => this.now,
      setTimer: (fn, ms) => {
        const timer = { due: this.now + Math.max(0, ms), fn, owner, cancelled: false };
        this.timers.push(timer);
        return () => (timer.cancelled = true);
      },
    };
  }

  /** Moves time forward, running every timer that falls due (a paused owner's wait until resumed). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await flush();
      const next = this.timers
        .filter((timer) => !timer.cancelled && !this.paused.has(timer.owner) && timer.due <= end)
        .sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.now = Math.max(this.now, next.due);
      next.cancelled = true;
      next.fn();
    }
    this.now = end;
    await flush();
  }

  /** Drops an owner's timers: the process is gone (kill -9). */
  kill(owner: string): void {
    for (const timer of this.timers) if (timer.owner === owner) timer.cancelled = true;
  }
}

/** Lets every pending promise chain run (a real macrotask turn; no time passes on the timeline). */
async function flush(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** What the active node last recorded about a member's liveness (cluster_node.observed). */
type TObserved = 'ALIVE' | 'LATE' | 'NOT_RESPONDING';
type TNode = {
  id: string;
  memberNo: number;
  lastHeartbeat: number;
  observed: TObserved;
  maintenance: boolean;
  removed: boolean;
  stopped: boolean;
};
type TSlot = {
  slot: number;
  nodeId: string | null;
  epoch: number;
  leaseUntil: number;
  handoverTo: string | null;
  handoverUntil: number;
};

export class MemoryStore implements TClusterStore {
  available = true;
  epoch = 0;
  settings = {
    intervalMs: 1_000,
    failoverHeartbeats: 5,
    activeNodeCount: 1,
    version: 1,
    changedAt: 0,
    previousIntervalMs: 1_000,
    previousWindowMs: 5_000,
  };
  readonly nodes = new Map<string, TNode>();
  readonly slots: TSlot[] = Array.from({ length: 64 }, (_, slot) => ({
    slot,
    nodeId: null,
    epoch: 0,
    leaseUntil: 0,
    handoverTo: null,
    handoverUntil: 0,
  }));
  readonly events: { kind: string; nodeId: string; details?: string }[] = [];
  /** the database server's identity as a heartbeat reads it (system identifier, timeline) */
  database = { systemId: '7000000000000000001', timeline: 1 };
  private seenDatabase: { systemId: string; timeline: number } | null = null;
  private databaseFailovers = 0;
  private memberNo = 0;

  constructor(private readonly timeline: Timeline) {}

  private get now() {
    return this.timeline.now;
  }

  private check(): void {
    if (!this.available) throw new Error('connection refused');
  }

  private get windowMs() {
    return this.settings.intervalMs * this.settings.failoverHeartbeats;
  }

  holdsLease(nodeId: string): boolean {
    return this.slots.some((slot) => slot.nodeId === nodeId && slot.leaseUntil > this.now);
  }

  /** A hand-over reservation holds for one window only (handover_until), as in orch_claim. */
  private isReservedFor(slot: TSlot, nodeId: string): boolean {
    return slot.handoverTo === nodeId && slot.handoverUntil > this.now;
  }

  private isOpen(slot: TSlot, nodeId: string): boolean {
    return (
      slot.slot < this.settings.activeNodeCount &&
      (slot.nodeId === null || slot.leaseUntil <= this.now) &&
      (slot.handoverTo === null || slot.handoverUntil <= this.now || slot.handoverTo === nodeId)
    );
  }

  /** The standby was promoted: a new timeline, as the heartbeats will find it. */
  promoteStandby(): void {
    this.database = { ...this.database, timeline: this.database.timeline + 1 };
  }

  setSettings(change: Partial<{ intervalMs: number; failoverHeartbeats: number; activeNodeCount: number }>): void {
    this.settings = {
      ...this.settings,
      ...change,
      version: this.settings.version + 1,
      changedAt: this.now,
      previousIntervalMs: this.settings.intervalMs,
      previousWindowMs: this.windowMs,
    };
  }

  async register(node: TNodeRegistration): Promise<'registered' | 'refused'> {
    this.check();
    const existing = this.nodes.get(node.id);
    if (existing?.removed) return 'refused';
    if (existing) Object.assign(existing, { lastHeartbeat: this.now, observed: 'ALIVE', stopped: false });
    else
      this.nodes.set(node.id, {
        id: node.id,
        memberNo: ++this.memberNo,
        lastHeartbeat: this.now,
        observed: 'ALIVE',
        maintenance: false,
        removed: false,
        stopped: false,
      });
    return 'registered';
  }

  async heartbeat(input: THeartbeatInput): Promise<THeartbeatResult> {
    this.check();
    const node = this.nodes.get(input.nodeId);
    const accepted = !!node && !node.removed;
    if (accepted) Object.assign(node, { lastHeartbeat: this.now, observed: 'ALIVE' });
    // as in SQL: the first heartbeat to meet a new identity records the failover and frees every slot
    let changed = false;
    const identityNoted =
      accepted &&
      (this.seenDatabase?.systemId !== this.database.systemId || this.seenDatabase?.timeline !== this.database.timeline);
    if (identityNoted) {
      changed = this.seenDatabase !== null;
      this.seenDatabase = { ...this.database };
      if (changed) {
        this.databaseFailovers += 1;
        this.epoch = Math.max(this.epoch + 1, this.database.timeline * 1_000_000_000);
        this.events.push({ kind: 'DATABASE_FAILOVER', nodeId: input.nodeId });
        for (const slot of this.slots)
          Object.assign(slot, { nodeId: null, leaseUntil: this.now, handoverTo: null, handoverUntil: 0 });
      }
    }
    const held = input.lease ? this.slots[input.lease.slot] : undefined;
    const renewed =
      !changed &&
      !!(accepted && held && held.nodeId === input.nodeId && held.epoch === input.lease!.epoch && held.leaseUntil > this.now);
    if (renewed) held!.leaseUntil = this.now + this.windowMs;
    // as ACTIVE_HEARTBEAT_SQL: the active node's observation rides on a renewal that succeeded
    const observedChanges = renewed && input.observe ? this.observe(input.nodeId, input.observe) : 0;
    const others = this.slots.filter(
      (slot) =>
        slot.slot < this.settings.activeNodeCount &&
        slot.nodeId !== input.nodeId &&
        slot.nodeId !== null &&
        slot.leaseUntil > this.now,
    );
    const open = this.slots.filter((slot) => this.isOpen(slot, input.nodeId));
    return {
      accepted,
      settings: {
        intervalMs: this.settings.intervalMs,
        failoverHeartbeats: this.settings.failoverHeartbeats,
        activeNodeCount: this.settings.activeNodeCount,
        settingsVersion: this.settings.version,
        previousIntervalMs: this.settings.previousIntervalMs,
        previousWindowMs: this.settings.previousWindowMs,
        sinceChangeMs: this.now - this.settings.changedAt,
      },
      // as in SQL: what a refused node is told comes from its heartbeat, and it had none
      maintenance: accepted && node.maintenance,
      renewed,
      handoverRequested: renewed && held!.handoverTo !== null,
      freeSlots: open.length,
      handoverForMe: open.some((slot) => this.isReservedFor(slot, input.nodeId)),
      nextExpiryMs: others.length ? Math.min(...others.map((slot) => slot.leaseUntil)) - this.now : null,
      dbNowMs: this.now,
      restartRequested: false,
      observedChanges,
      // as STANDBY_HEARTBEAT_SQL: no lease in it, and no database identity noted
      asynchronousCommit: !input.lease && !identityNoted,
      referenceVersion: null,
      database: { ...this.database, failovers: this.databaseFailovers },
    };
  }

  async claim(nodeId: string, lateAfterMs: number, graceMs: number): Promise<TClaimAnswer> {
    this.check();
    const eligible = (node: TNode) =>
      !node.removed &&
      !node.stopped &&
      !node.maintenance &&
      node.lastHeartbeat > this.now - lateAfterMs &&
      !this.holdsLease(node.id);
    const me = this.nodes.get(nodeId);
    if (!me || !eligible(me)) return null;
    const open = this.slots
      .filter((slot) => this.isOpen(slot, nodeId))
      .sort((a, b) => Number(this.isReservedFor(b, nodeId)) - Number(this.isReservedFor(a, nodeId)) || a.slot - b.slot);
    const pick = open[0];
    if (!pick) return null;
    const freeForMs = this.now - pick.leaseUntil;
    if (!this.isReservedFor(pick, nodeId) && freeForMs < graceMs) {
      // the members ahead in line are preferred for the grace only (as orch_claim does it)
      const ahead = [...this.nodes.values()].filter((node) => node.memberNo < me.memberNo && eligible(node)).length;
      if (ahead >= open.filter((slot) => !this.isReservedFor(slot, nodeId)).length) return { waitMs: graceMs - freeForMs };
    }
    this.epoch += 1;
    Object.assign(pick, { nodeId, epoch: this.epoch, leaseUntil: this.now + this.windowMs, handoverTo: null, handoverUntil: 0 });
    this.events.push({ kind: 'BECAME_ACTIVE', nodeId });
    return { slot: pick.slot, epoch: this.epoch, windowMs: this.windowMs, intervalMs: this.settings.intervalMs };
  }

  async release(nodeId: string, lease: { slot: number; epoch: number }, reason: TReleaseReason): Promise<boolean> {
    this.check();
    const slot = this.slots[lease.slot];
    // as RELEASE_SQL: a slot that is not there, or not this node's under this epoch, is zero rows
    if (!slot || slot.nodeId !== nodeId || slot.epoch !== lease.epoch) return false;
    Object.assign(slot, { nodeId: null, leaseUntil: this.now });
    this.events.push({ kind: `BECAME_STANDBY:${reason}`, nodeId });
    return true;
  }

  async leave(nodeId: string, lease: { slot: number; epoch: number } | null): Promise<void> {
    this.check();
    // as LEAVE_SQL: an unknown node is zero rows, not an error
    const node = this.nodes.get(nodeId);
    if (node) node.stopped = true;
    if (lease) await this.release(nodeId, lease, 'stopping');
  }

  /** Each stage of a silent member recorded once (the caller renewed its lease). */
  private observe(nodeId: string, thresholds: TObserveThresholds): number {
    let changed = 0;
    for (const node of this.nodes.values()) {
      const silentMs = this.now - node.lastHeartbeat;
      if (node.removed || node.id === nodeId || silentMs < thresholds.lateAfterMs) continue;
      const stage: TObserved = silentMs >= thresholds.notRespondingAfterMs ? 'NOT_RESPONDING' : 'LATE';
      if (node.observed === stage) continue;
      node.observed = stage;
      this.events.push({ kind: stage, nodeId: node.id });
      changed += 1;
    }
    return changed;
  }

  async recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void> {
    this.check();
    // at most once, as in SQL: a retry with the same details adds nothing
    const key = JSON.stringify(details);
    if (this.events.some((event) => event.kind === kind && event.nodeId === nodeId && event.details === key)) return;
    this.events.push({ kind, nodeId, details: key });
  }

  async close(): Promise<void> {}

  /** An operator's hand-over, as lib/cluster/make-active.ts does it. */
  handOver(to: string, slot: number): void {
    Object.assign(this.slots[slot], { handoverTo: to, handoverUntil: this.now + this.windowMs });
  }
}
