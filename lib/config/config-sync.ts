/**
 * A node's part in configuration sync, run in the server process next to the cluster agent:
 * - writes a newly pushed version into the data directory within one heartbeat of the push
 *   (and once at start, before the configuration is loaded, so a node that was down comes up
 *   with the reference);
 * - restarts the process when an operator or a rolling reset asked for it;
 * - drives the rolling resets this node coordinates (lib/config/rollout.ts).
 *
 * A loop object like the cluster agent: an explicit state, start(), a stop() that waits for the
 * write in flight and the rolling-reset driver, an injected clock and store, and what to do on a
 * heartbeat decided by a pure function (nextSyncStep).
 */
import type { TDb } from '@/lib/db/client';
import { systemClock, type TClock } from '@/lib/cluster/clock';
import type { THeartbeatResult } from '@/lib/cluster/store';
import { readAppliedReference } from '@/lib/config/applied-reference';
import { applyReference } from '@/lib/config/apply-reference';
import { DEFAULT_ROLLOUT_TIMEOUTS, RolloutDriver } from '@/lib/config/rollout';
import { PrismaRolloutStore, type TRolloutStore } from '@/lib/config/rollout-store';

/** After a failed write, the next try waits this long: the error is logged once per try, not per heartbeat. */
export const APPLY_RETRY_MS = 30_000;

/** Where pushed versions come from and go: the database and this node's data directory. */
export type TConfigSyncStore = {
  /** writes the reference into the data directory if it is newer; the version written, or null */
  applyReference(): Promise<number | null>;
  /** the version the data directory holds now (0: none) */
  appliedVersion(): Promise<number>;
};

export type TConfigSyncOptions = {
  /** needed unless both stores are given */
  db?: TDb;
  dataDir: string;
  nodeId: string;
  requestRestart(reason: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  rolloutTimeouts?: Partial<typeof DEFAULT_ROLLOUT_TIMEOUTS>;
  /** for retry delays, rollout deadlines and the settle timer; a wall clock that jumps must move none of them */
  clock?: TClock;
  /** give up rolling resets whose coordinator went silent, every few seconds (not on a standalone node) */
  watchRollouts?: boolean;
  /** defaults to the database and the data directory; unit tests pass in-memory ones */
  store?: TConfigSyncStore;
  rolloutStore?: TRolloutStore;
};

export type TSyncLifecycle = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * - idle: nothing in flight; applied: the version the data directory holds;
 * - applying: a write is in flight;
 * - retrying: the last write failed; the next may start at `afterMs` (monotonic).
 */
export type TApplyState = { kind: 'idle' } | { kind: 'applying' } | { kind: 'retrying'; afterMs: number };

export type TSyncState = {
  lifecycle: TSyncLifecycle;
  apply: TApplyState;
  appliedVersion: number;
  /** this process was asked to restart (by a heartbeat or its own rolling reset): once is enough */
  restart: 'none' | 'requested';
};

/** What to do on a heartbeat: pure, over the state and the heartbeat's answer. */
export function nextSyncStep(
  state: TSyncState,
  heartbeat: THeartbeatResult,
  nowMs: number,
): { restart: boolean; apply: boolean } {
  // heartbeats come before start() too: the agent starts first
  if (state.lifecycle === 'stopping' || state.lifecycle === 'stopped') return { restart: false, apply: false };
  const restart = heartbeat.restartRequested && state.restart === 'none';
  const newer = heartbeat.referenceVersion !== null && heartbeat.referenceVersion > state.appliedVersion;
  const free = state.apply.kind === 'idle' || (state.apply.kind === 'retrying' && nowMs >= state.apply.afterMs);
  return { restart, apply: newer && free };
}

export class ConfigSync {
  private state: TSyncState = { lifecycle: 'idle', apply: { kind: 'idle' }, appliedVersion: 0, restart: 'none' };
  private applying: Promise<void> = Promise.resolve();
  private readonly clock: TClock;
  private readonly store: TConfigSyncStore;
  private readonly rollouts: RolloutDriver;

  constructor(private readonly options: TConfigSyncOptions) {
    this.clock = options.clock ?? systemClock;
    const { db, dataDir, nodeId } = options;
    const database = () => {
      if (!db) throw new Error('configuration sync needs a database, or both of its stores');
      return db;
    };
    this.store = options.store ?? {
      applyReference: () => applyReference(database(), dataDir, nodeId),
      appliedVersion: async () => (await readAppliedReference(dataDir))?.version ?? 0,
    };
    this.rollouts = new RolloutDriver({
      store: options.rolloutStore ?? new PrismaRolloutStore(database()),
      clock: this.clock,
      nodeId,
      requestRestart: (reason) => this.restart(reason),
      log: options.log,
      timeouts: options.rolloutTimeouts,
      settleEveryMs: options.watchRollouts ? undefined : null,
    });
  }

  /** The state, for tests and diagnostics. */
  snapshot(): TSyncState {
    return { ...this.state };
  }

  /** At start, before the process loads its configuration. A failure leaves the files as they were. */
  async applyAtStart(): Promise<void> {
    await this.apply();
  }

  /** Starts driving the rolling resets this node coordinates (and settling stalled ones, if asked). */
  start(): void {
    if (this.state.lifecycle !== 'idle') throw new Error(`configuration sync cannot start when ${this.state.lifecycle}`);
    this.state.lifecycle = 'running';
    if (this.state.restart === 'none') this.rollouts.start();
  }

  /** Stops: no new write starts; waits for the write in flight and the rolling-reset step in flight. */
  async stop(): Promise<void> {
    if (this.state.lifecycle === 'stopping' || this.state.lifecycle === 'stopped') return;
    this.state.lifecycle = 'stopping';
    await Promise.all([this.applying, this.rollouts.stop()]);
    this.state.lifecycle = 'stopped';
  }

  onHeartbeat(heartbeat: THeartbeatResult): void {
    const step = nextSyncStep(this.state, heartbeat, this.clock.monotonicMs());
    if (step.restart) {
      this.options.log('info', 'restart requested: restarting');
      this.restart('requested by an operator or a rolling reset');
    }
    if (step.apply) this.applying = this.apply();
  }

  /** Carries on the rolling resets this node coordinates (called after a push with reset). */
  resumeRollouts(): void {
    if (this.state.restart === 'none') this.rollouts.resume();
  }

  private restart(reason: string): void {
    if (this.state.restart === 'requested') return;
    this.state.restart = 'requested';
    this.options.requestRestart(reason);
  }

  private async apply(): Promise<void> {
    this.state.apply = { kind: 'applying' };
    try {
      const version = await this.store.applyReference();
      if (version !== null)
        this.options.log(
          'info',
          `configuration version ${version} written; it takes effect at the next restart (hot settings at once)`,
        );
      this.state.appliedVersion = await this.store.appliedVersion();
      this.state.apply = { kind: 'idle' };
    } catch (error) {
      this.state.apply = { kind: 'retrying', afterMs: this.clock.monotonicMs() + APPLY_RETRY_MS };
      this.options.log(
        'error',
        `could not apply the pushed configuration (trying again in 30 s): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
