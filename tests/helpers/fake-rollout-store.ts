/**
 * An in-memory cluster for the rolling-reset driver's unit tests, on the injected timeline
 * (tests/helpers/fake-cluster.ts): members that restart when asked (taking `restartMs` to come
 * back with what they have on disk), and an election that fills the active slots in member
 * order a moment after a change, as the agents would at their next heartbeat.
 */
import type { TClock } from '@/lib/cluster/clock';
import type { TMemberState } from '@/lib/cluster/node-state';
import type { TRolloutFacts, TRolloutMember } from '@/lib/config/rollout-facts';
import type { TRolloutLog, TRolloutRecord, TRolloutSave, TRolloutStore } from '@/lib/config/rollout-store';
import type { Timeline } from './fake-cluster';

export type TFakeMember = TRolloutMember & { removed?: boolean };

export class FakeRolloutStore implements TRolloutStore {
  readonly members: TFakeMember[] = [];
  reference = { version: 2, fingerprint: 'v2' };
  activeNodeCount = 1;
  settingsVersion = 1;
  windowMs = 5_000;
  readonly rollouts = new Map<number, TRolloutRecord & { message?: string }>();
  readonly events: { kind: string; nodeId: string; details: Record<string, unknown> }[] = [];
  /** every restart asked for, in order */
  readonly restarts: string[] = [];
  /** every active count set, in order */
  readonly activeCounts: number[] = [];
  /** the fewest active members seen at any election or restart */
  fewestActive = Number.POSITIVE_INFINITY;
  /** members that go down when asked to restart and never come back */
  readonly neverReturn = new Set<string>();
  /** a settings change to this count fails (the database refused it) */
  refuseActiveCount: number | null = null;
  readonly restoreFailures: { rolloutId: number; activeNodeCount: number; reason: string }[] = [];
  settled = 0;
  private readonly clock: TClock;

  constructor(
    timeline: Timeline,
    private readonly timing = { restartMs: 2_000, electionMs: 1_000 },
  ) {
    this.clock = timeline.clock('cluster');
  }

  /** Adds members n1…nN: the first `active` of them active, all running v1 with v2 written to disk. */
  addMembers(count: number, active = 1): void {
    for (let index = 1; index <= count; index += 1) {
      this.members.push({
        id: `n${index}`,
        name: `n${index}`,
        state: index <= active ? 'ACTIVE' : 'STANDBY',
        heartbeatAgeMs: 100,
        activeFingerprint: 'v1',
        pendingFingerprint: 'v2',
        restartedSinceRequest: true,
      });
    }
    this.activeNodeCount = active;
  }

  member(id: string): TFakeMember {
    return this.members.find((member) => member.id === id)!;
  }

  addRollout(
    record: Omit<TRolloutRecord, 'status' | 'startedBy' | 'version' | 'restoreActiveNodeCount'> & Partial<TRolloutRecord>,
  ): void {
    this.rollouts.set(record.id, {
      status: 'RUNNING',
      startedBy: 'root',
      version: this.reference.version,
      restoreActiveNodeCount: null,
      ...record,
    });
  }

  async unfinished(nodeId: string): Promise<number[]> {
    return [...this.rollouts.values()]
      .filter((rollout) => rollout.status === 'RUNNING' && rollout.coordinatorNode === nodeId)
      .map((rollout) => rollout.id);
  }

  async load(rolloutId: number): Promise<TRolloutRecord | null> {
    const rollout = this.rollouts.get(rolloutId);
    // a copy, as a database row would be
    return rollout ? structuredClone(rollout) : null;
  }

  async facts(): Promise<TRolloutFacts> {
    return {
      members: this.members.filter((member) => !member.removed).map((member) => ({ ...member })),
      reference: this.reference,
      activeNodeCount: this.activeNodeCount,
      settingsVersion: this.settingsVersion,
      windowMs: this.windowMs,
    };
  }

  async save(rolloutId: number, progress: TRolloutSave): Promise<void> {
    const rollout = this.rollouts.get(rolloutId)!;
    Object.assign(rollout, structuredClone(progress));
  }

  async setActiveNodeCount(settingsVersion: number, activeNodeCount: number): Promise<void> {
    if (settingsVersion !== this.settingsVersion) throw new Error('STALE_VERSION');
    if (activeNodeCount === this.refuseActiveCount) throw new Error('connection refused');
    this.activeNodeCount = activeNodeCount;
    this.settingsVersion += 1;
    this.activeCounts.push(activeNodeCount);
    this.clock.setTimer(() => this.elect(), this.timing.electionMs);
  }

  async requestRestart(nodeId: string): Promise<void> {
    const member = this.member(nodeId);
    this.restarts.push(nodeId);
    // a clean stop hands the slot back at once; the process comes back with what it has on disk
    Object.assign(member, { restartedSinceRequest: false, state: 'STANDBY' as TMemberState });
    this.noteActives();
    if (this.neverReturn.has(nodeId)) {
      member.state = 'NOT_RESPONDING';
      return;
    }
    this.clock.setTimer(() => {
      Object.assign(member, { restartedSinceRequest: true, activeFingerprint: member.pendingFingerprint });
      this.elect();
    }, this.timing.restartMs);
    this.clock.setTimer(() => this.elect(), this.timing.electionMs);
  }

  async recordEvent(kind: string, nodeId: string, _actor: string, details: Record<string, unknown>): Promise<void> {
    this.events.push({ kind, nodeId, details });
  }

  async recordRestoreFailure(rolloutId: number, activeNodeCount: number, error: unknown, log: TRolloutLog): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    log('error', `rolling reset #${rolloutId}: the active node count could not be put back to ${activeNodeCount} (${reason})`);
    this.restoreFailures.push({ rolloutId, activeNodeCount, reason });
    this.events.push({
      kind: 'ROLLOUT_RESTORE_FAILED',
      nodeId: this.rollouts.get(rolloutId)!.coordinatorNode,
      details: { rollout: rolloutId, activeNodeCount },
    });
  }

  async settleStalled(): Promise<void> {
    this.settled += 1;
  }

  actives(): string[] {
    return this.members.filter((member) => member.state === 'ACTIVE').map((member) => member.id);
  }

  /** Surplus active members give their slot back (the newest first); free slots go to standbys in member order. */
  private elect(): void {
    const active = this.members.filter((member) => member.state === 'ACTIVE');
    for (const member of active.slice(this.activeNodeCount).reverse()) member.state = 'STANDBY';
    let free = this.activeNodeCount - Math.min(active.length, this.activeNodeCount);
    for (const member of this.members) {
      if (free === 0) break;
      if (member.state === 'STANDBY' && member.restartedSinceRequest) {
        member.state = 'ACTIVE';
        free -= 1;
      }
    }
    this.noteActives();
  }

  private noteActives(): void {
    this.fewestActive = Math.min(this.fewestActive, this.actives().length);
  }
}
