/**
 * The cluster agent: one per server process, started by the server entry. It registers the
 * node, heartbeats every interval, claims and renews an active slot, releases it when it must,
 * and fences itself when it cannot renew. Whether the node is active is never a flag trusted on
 * its own: it is a lease with a deadline on the monotonic clock (isActiveNow).
 */
import type { TBeliefLog } from '@/lib/cluster/belief-log';
import { noBeliefLog } from '@/lib/cluster/belief-log';
import type { TClock } from '@/lib/cluster/clock';
import { CLAIM_MARGIN_MS, claimGraceMs, decide, fenceDeadline, heartbeatDelay, type TRole } from '@/lib/cluster/election';
import { ConfigurationReport } from '@/lib/cluster/configuration-report';
import { livenessWindow } from '@/lib/cluster/settings';
import type {
  TClusterStore,
  TDatabaseIdentity,
  THeartbeatResult,
  TNodeRegistration,
  TReleaseReason,
  TReportedConfiguration,
} from '@/lib/cluster/store';

export const NODE_STATES = ['ACTIVE', 'STANDBY', 'MAINTENANCE', 'STARTING', 'FENCED'] as const;
export type TNodeState = (typeof NODE_STATES)[number];

export type TAgentStatus = {
  state: TNodeState;
  epoch: number;
  clusterId: string | null;
  /** REMOVED when the cluster refused this node id (it was removed) */
  membership: 'MEMBER' | 'REMOVED' | 'STARTING';
  databaseReachable: boolean;
  clockSkewMs: number | null;
};

type TLifecycle = 'idle' | 'running' | 'stopping' | 'stopped';

export type TAgentOptions = {
  store: TClusterStore;
  clock: TClock;
  node: TNodeRegistration;
  /** reported in health; null for a standalone node (its own built-in database) */
  clusterId: string | null;
  beliefLog?: TBeliefLog;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** called when active work must start (true) or stop at once (false) */
  onActiveChange?: (active: boolean, epoch: number) => void;
  /** the configuration this node reports on each heartbeat */
  configuration?: () => Promise<TReportedConfiguration>;
  /**
   * Called before this node gives an active slot back (maintenance, hand-over, fewer active
   * nodes) while its lease still holds, so that active work can finish its current step and hand
   * over cleanly; cut short before the fence deadline.
   */
  beforeRelease?: (reason: TReleaseReason) => Promise<void>;
  /** called after each accepted heartbeat, with its round trip (configuration sync, restart requests, metrics) */
  onHeartbeat?: (heartbeat: THeartbeatResult, roundTripMs: number) => void;
  /**
   * called once when this node sees the shared database fail over (a new system identifier or
   * timeline), after it fenced itself: what the old primary acknowledged may be missing here
   */
  onDatabaseFailover?: (identity: TDatabaseIdentity) => void;
};

/** Before the first heartbeat answers, and while the database is away, retry this often. */
const RETRY_MS = 1_000;

export class ClusterAgent {
  private lifecycle: TLifecycle = 'idle';
  private membership: TAgentStatus['membership'] = 'STARTING';
  private role: TRole = { kind: 'standby' };
  private fenceAtMs = 0;
  private fenced = false;
  /** after a fence, this node lets the other standbys take the slot first (monotonic deadline) */
  private standAsideUntilMs = 0;
  private maintenance = false;
  private databaseReachable = true;
  private skewMs: number | null = null;
  private lastHeartbeat?: THeartbeatResult;
  /** the database failovers the cluster had counted at this node's last heartbeat (null before the first) */
  private databaseFailovers: number | null = null;
  /** events that happened while the database was away (a fence, typically), written once it is back */
  private pendingEvents: { kind: string; details: Record<string, unknown> }[] = [];
  private cancelTick?: () => void;
  private cancelClaim?: () => void;
  private cancelFence?: () => void;
  private work: Promise<void> = Promise.resolve();
  private readonly beliefLog: TBeliefLog;
  private readonly log: NonNullable<TAgentOptions['log']>;
  private readonly configuration: ConfigurationReport;

  constructor(private readonly options: TAgentOptions) {
    this.beliefLog = options.beliefLog ?? noBeliefLog;
    this.log = options.log ?? (() => {});
    this.configuration = new ConfigurationReport(options.configuration, {
      log: this.log,
      wallMs: () => options.clock.wallMs(),
      event: (event) => this.pendingEvents.push(event),
    });
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'idle') throw new Error(`the agent cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.scheduleTick(0);
  }

  /** Stops the loop, waits for work in flight, and hands an active slot back at once. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'stopping';
    this.cancelTick?.();
    this.cancelClaim?.();
    await this.work;
    const lease = this.role.kind === 'active' ? { slot: this.role.slot, epoch: this.role.epoch } : null;
    this.endActive('stopping');
    if (this.membership === 'MEMBER') {
      await this.options.store.leave(this.options.node.id, lease).catch((error) => {
        this.log('warn', `could not hand the slot back on stop (${String(error)}); it frees up when the lease runs out`);
      });
    }
    this.cancelFence?.();
    this.lifecycle = 'stopped';
    await this.options.store.close().catch(() => {});
  }

  /** True only while this node holds a lease whose fence deadline has not passed. */
  isActiveNow(): boolean {
    return this.role.kind === 'active' && this.options.clock.monotonicMs() < this.fenceAtMs;
  }

  status(): TAgentStatus {
    const base = {
      clusterId: this.options.clusterId,
      membership: this.membership,
      databaseReachable: this.databaseReachable,
      clockSkewMs: this.skewMs,
    };
    if (this.membership === 'REMOVED') return { ...base, state: 'FENCED', epoch: 0 };
    if (this.membership === 'STARTING') return { ...base, state: 'STARTING', epoch: 0 };
    if (this.role.kind === 'active') return { ...base, state: this.isActiveNow() ? 'ACTIVE' : 'FENCED', epoch: this.role.epoch };
    if (this.fenced) return { ...base, state: 'FENCED', epoch: 0 };
    return { ...base, state: this.maintenance ? 'MAINTENANCE' : 'STANDBY', epoch: 0 };
  }

  /** The settings as of the last heartbeat (undefined before the first one). */
  settings() {
    return this.lastHeartbeat?.settings;
  }

  private exclusive(step: () => Promise<void>): Promise<void> {
    this.work = this.work.then(step, step);
    return this.work;
  }

  private scheduleTick(delayMs: number): void {
    this.cancelTick?.();
    if (this.lifecycle !== 'running') return;
    this.cancelTick = this.options.clock.setTimer(() => void this.exclusive(() => this.tick()), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.checkFence();
    const { store, clock, node } = this.options;
    const startedAt = clock.monotonicMs();
    let next = RETRY_MS;
    try {
      if (this.membership === 'STARTING') {
        if ((await store.register(node)) === 'refused') return this.refuse();
        this.membership = 'MEMBER';
        this.log('info', `registered as member ${node.id}`);
      }
      const wallBefore = clock.wallMs();
      const lease = this.role.kind === 'active' ? { slot: this.role.slot, epoch: this.role.epoch } : null;
      const configuration = await this.configuration.read();
      const sentAt = clock.monotonicMs();
      const heartbeat = await store.heartbeat({
        nodeId: node.id,
        lease,
        skewMs: this.skewMs,
        configuration,
        configurationError: this.configuration.error,
        // the active node's duty rides on its renewal. The thresholds come from the settings of
        // the previous heartbeat (an active node always had one: it claimed after it): after a
        // change they lag by one interval, which never makes a member look late that is not,
        // since members keep the old interval until their next heartbeat shows them the new one
        observe: lease && this.lastHeartbeat ? livenessWindow(this.lastHeartbeat.settings) : null,
      });
      const roundTripMs = clock.monotonicMs() - sentAt;
      // database clock minus this node's wall clock; any value is fine, it is shown, never relied on
      this.skewMs = heartbeat.dbNowMs - (wallBefore + clock.wallMs()) / 2;
      this.onDatabaseBack();
      if (!heartbeat.accepted) return this.refuse();
      // the answer came after the fence deadline: the node stopped being active meanwhile, and a
      // lapsed belief is never revived
      if (lease && this.role.kind === 'active' && clock.monotonicMs() >= this.fenceAtMs) this.checkFence();
      if (lease && heartbeat.renewed && !(this.role.kind === 'active' && this.role.epoch === lease.epoch)) {
        // what this heartbeat renewed for a belief that has lapsed goes back at once, so that a
        // standby need not wait a whole window for it
        await store.release(node.id, lease, 'fenced').catch(() => false);
      }
      this.noteDatabaseIdentity(heartbeat.database);
      this.lastHeartbeat = heartbeat;
      this.maintenance = heartbeat.maintenance;
      this.fenced = false;
      await this.flushPendingEvents();
      await this.act(heartbeat, startedAt);
      this.options.onHeartbeat?.(heartbeat, roundTripMs);
      const { intervalMs, failoverHeartbeats } = heartbeat.settings;
      next = heartbeatDelay(this.role, intervalMs, intervalMs * failoverHeartbeats) - (clock.monotonicMs() - startedAt);
    } catch (error) {
      this.onDatabaseError(error);
      next = Math.min(RETRY_MS, this.lastHeartbeat?.settings.intervalMs ?? RETRY_MS);
    }
    this.scheduleTick(next);
  }

  private async act(heartbeat: THeartbeatResult, startedAt: number): Promise<void> {
    const { store, node } = this.options;
    const decision = decide(this.role, heartbeat);
    const { intervalMs, failoverHeartbeats } = heartbeat.settings;
    switch (decision.kind) {
      case 'lost':
        this.endActive('lost');
        break;
      case 'stay':
        if (this.role.kind === 'active') this.extendActive(startedAt, intervalMs * failoverHeartbeats, intervalMs);
        break;
      case 'release': {
        const lease = this.role as Extract<TRole, { kind: 'active' }>;
        // this heartbeat renewed the lease: the fence moves with it, which gives the hand-over its time
        this.extendActive(startedAt, intervalMs * failoverHeartbeats, intervalMs);
        await this.beforeRelease(decision.reason, intervalMs);
        if (this.role.kind !== 'active') break; // fenced meanwhile
        this.endActive(decision.reason);
        await store.release(node.id, lease, decision.reason);
        this.log('info', `released slot ${lease.slot} (epoch ${lease.epoch}): ${decision.reason}`);
        break;
      }
      case 'claim':
        await this.claim(heartbeat);
        break;
      case 'claim-at':
        this.claimLater(heartbeat, decision.delayMs);
        break;
    }
  }

  private async beforeRelease(reason: TReleaseReason, intervalMs: number): Promise<void> {
    const { beforeRelease } = this.options;
    if (!beforeRelease) return;
    const { clock } = this.options;
    // leave one interval before the fence deadline for the release itself
    const budgetMs = this.fenceAtMs - clock.monotonicMs() - intervalMs;
    if (budgetMs <= 0) return;
    let cancel: (() => void) | undefined;
    await Promise.race([
      beforeRelease(reason).catch((error) => this.log('warn', `before giving the slot back: ${String(error)}`)),
      new Promise<void>((resolve) => {
        cancel = clock.setTimer(resolve, budgetMs);
      }),
    ]);
    cancel?.();
  }

  /** Tries a claim after DELAY_MS (a lease runs out, or the grace of a member ahead ends). */
  private claimLater(heartbeat: THeartbeatResult, delayMs: number): void {
    this.cancelClaim?.();
    this.cancelClaim = this.options.clock.setTimer(
      () =>
        void this.exclusive(async () => {
          if (this.lifecycle === 'running' && this.role.kind === 'standby' && !this.maintenance)
            await this.claim(heartbeat).catch((error) => this.onDatabaseError(error));
        }),
      delayMs,
    );
  }

  private async claim(heartbeat: THeartbeatResult): Promise<void> {
    const { store, clock, node } = this.options;
    if (clock.monotonicMs() < this.standAsideUntilMs)
      return this.claimLater(heartbeat, this.standAsideUntilMs - clock.monotonicMs());
    const startedAt = clock.monotonicMs();
    const claim = await store.claim(
      node.id,
      livenessWindow(heartbeat.settings).lateAfterMs,
      claimGraceMs(heartbeat.settings.intervalMs),
    );
    if (!claim) return;
    if ('waitMs' in claim) {
      // a member ahead in line may still take the slot; if it has not by then, this node tries
      this.claimLater(heartbeat, claim.waitMs + CLAIM_MARGIN_MS);
      return;
    }
    this.role = { kind: 'active', slot: claim.slot, epoch: claim.epoch };
    this.extendActive(startedAt, claim.windowMs, claim.intervalMs, 'begin');
    if (!this.isActiveNow()) {
      // the answer took so long (frozen, cut off) that the fence deadline has passed already
      this.checkFence();
      return;
    }
    this.log('info', `became active: slot ${claim.slot}, epoch ${claim.epoch}`);
    this.options.onActiveChange?.(true, claim.epoch);
  }

  private extendActive(startedAt: number, windowMs: number, intervalMs: number, kind: 'begin' | 'extend' = 'extend'): void {
    if (this.role.kind !== 'active') return;
    const { clock, node } = this.options;
    this.fenceAtMs = fenceDeadline(startedAt, windowMs, intervalMs);
    const now = clock.monotonicMs();
    this.beliefLog.write({
      t: kind,
      node: node.id,
      epoch: this.role.epoch,
      slot: this.role.slot,
      at: clock.wallMs(),
      until: clock.wallMs() + (this.fenceAtMs - now),
    });
    this.armFenceTimer();
  }

  private armFenceTimer(): void {
    this.cancelFence?.();
    const { clock } = this.options;
    this.cancelFence = clock.setTimer(() => this.checkFence(), Math.max(1, this.fenceAtMs - clock.monotonicMs()));
  }

  /** Past the fence deadline without a renewal: stop active work now, before anyone can take over. */
  private checkFence(): void {
    if (this.role.kind !== 'active') return;
    if (this.options.clock.monotonicMs() < this.fenceAtMs) {
      // a timer may fire a little early: wait for the rest, or the lapse would go unrecorded
      this.armFenceTimer();
      return;
    }
    const { epoch, slot } = this.role;
    this.endActive('fenced');
    this.fenced = true;
    // a node that could not renew in time (slow link, pauses) is the worst candidate to take the
    // slot back: for one window, healthy standbys go first (it still claims if nobody does)
    const windowMs = this.lastHeartbeat
      ? this.lastHeartbeat.settings.intervalMs * this.lastHeartbeat.settings.failoverHeartbeats
      : 0;
    this.standAsideUntilMs = this.options.clock.monotonicMs() + windowMs;
    this.log('warn', `fenced: no renewal of slot ${slot} (epoch ${epoch}) within the window; active work stopped`);
    this.pendingEvents.push({
      kind: 'FENCED',
      details: { slot, epoch, at: new Date(this.options.clock.wallMs()).toISOString() },
    });
  }

  /**
   * A database failover is a fencing event: a lease granted by the old primary may not exist on
   * the new one (asynchronous replication), so an active node stops active work at once, whether
   * or not its renewal went through. The heartbeat that saw the failover first freed every slot
   * (lib/cluster/heartbeat-sql.ts); slots are claimed again under a new epoch.
   */
  private noteDatabaseIdentity(identity: TDatabaseIdentity): void {
    const previous = this.databaseFailovers;
    this.databaseFailovers = identity.failovers;
    if (previous === null || identity.failovers === previous) return;
    this.log('warn', `the shared database failed over (now system ${identity.systemId}, timeline ${identity.timeline})`);
    if (this.role.kind === 'active') {
      const { slot, epoch } = this.role;
      this.endActive('database-failover');
      this.log(
        'warn',
        `fenced: slot ${slot} (epoch ${epoch}) was granted by the old primary; active work stopped, the slot is claimed again`,
      );
      this.pendingEvents.push({
        kind: 'FENCED',
        details: {
          slot,
          epoch,
          reason: 'database failover',
          timeline: identity.timeline,
          at: new Date(this.options.clock.wallMs()).toISOString(),
        },
      });
    }
    this.options.onDatabaseFailover?.(identity);
  }

  private async flushPendingEvents(): Promise<void> {
    while (this.pendingEvents.length > 0) {
      const { kind, details } = this.pendingEvents[0];
      await this.options.store.recordEvent(kind, this.options.node.id, details);
      this.pendingEvents.shift();
    }
  }

  private endActive(reason: string): void {
    if (this.role.kind !== 'active') return;
    const { epoch, slot } = this.role;
    const { clock, node } = this.options;
    this.role = { kind: 'standby' };
    this.fenceAtMs = 0;
    this.cancelFence?.();
    this.beliefLog.write({ t: 'end', node: node.id, epoch, slot, at: clock.wallMs(), reason });
    if (reason !== 'fenced' && reason !== 'stopping') this.log('info', `standing by: slot ${slot} (epoch ${epoch}) ${reason}`);
    this.options.onActiveChange?.(false, epoch);
  }

  private refuse(): void {
    this.endActive('removed');
    this.membership = 'REMOVED';
    this.cancelTick?.();
    this.log('error', 'this node was removed from the cluster; it takes no part until it joins again');
  }

  private onDatabaseBack(): void {
    if (!this.databaseReachable) this.log('info', 'database reachable again');
    this.databaseReachable = true;
  }

  private onDatabaseError(error: unknown): void {
    if (this.databaseReachable)
      this.log('warn', `database unreachable: ${error instanceof Error ? error.message : String(error)}`);
    this.databaseReachable = false;
  }
}
