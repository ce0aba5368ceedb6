/**
 * The rolling-reset driver of one node: it drives the "push configuration and reset nodes" this
 * node coordinates, and every few seconds gives up those whose coordinator went silent (any node
 * may; lib/config/settle-rollouts.ts). A loop object like the cluster agent: an explicit
 * lifecycle, start(), a stop() that waits for the step in flight, an injected clock and store.
 *
 * What to do next is decided by nextRolloutAction (lib/config/next-rollout-action.ts) over the
 * rollout's progress and the cluster's facts; this object carries it out. Every step is recorded
 * in config_rollout, so every page shows the progress, and the coordinator carries on after its
 * own restart (or after any restart: a stopped driver leaves the rollout RUNNING, and the next
 * start resumes it).
 */
import type { TDb } from '@/lib/db/client';
import { systemClock, type TClock } from '@/lib/cluster/clock';
import { nextRolloutAction, type TRolloutProgress } from '@/lib/config/next-rollout-action';
import { PrismaRolloutStore, type TRolloutLog, type TRolloutSave, type TRolloutStore } from '@/lib/config/rollout-store';

export const DEFAULT_ROLLOUT_TIMEOUTS = { restartMs: 180_000, pollMs: 500 };
/** How often a node looks for rolling resets whose coordinator went silent. */
export const SETTLE_EVERY_MS = 10_000;

export type TRolloutDriverOptions = {
  store: TRolloutStore;
  /** deadlines are measured on its monotonic clock: a wall clock stepped by months moves none of them */
  clock: TClock;
  nodeId: string;
  /** ends this process cleanly; its supervisor starts it again */
  requestRestart(reason: string): void;
  log: TRolloutLog;
  timeouts?: Partial<typeof DEFAULT_ROLLOUT_TIMEOUTS>;
  /** how often to settle stalled rollouts; null: never (a standalone node has nobody to settle for) */
  settleEveryMs?: number | null;
};

type TLifecycle = 'idle' | 'running' | 'stopping' | 'stopped';
/** ended: finished (or not this node's to drive); interrupted: this process restarts or stops, the rollout goes on after */
type TDriveOutcome = 'ended' | 'interrupted';

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class RolloutDriver {
  private lifecycle: TLifecycle = 'idle';
  private driving: Promise<void> | null = null;
  private settling: Promise<void> = Promise.resolve();
  private cancelSleep?: () => void;
  private cancelSettle?: () => void;
  /** this driver asked for its own process to restart: it drives nothing more */
  private restarting = false;
  private readonly timeouts: typeof DEFAULT_ROLLOUT_TIMEOUTS;

  constructor(private readonly options: TRolloutDriverOptions) {
    this.timeouts = { ...DEFAULT_ROLLOUT_TIMEOUTS, ...options.timeouts };
  }

  /** Resumes the rollouts this node coordinates, and starts settling stalled ones. */
  start(): void {
    if (this.lifecycle !== 'idle') throw new Error(`the rolling-reset driver cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.resume();
    this.scheduleSettle();
  }

  /** Stops between two steps (a rollout in progress stays RUNNING) and waits for the one in flight. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'stopping';
    this.cancelSettle?.();
    this.cancelSleep?.();
    await this.driving;
    await this.settling;
    this.lifecycle = 'stopped';
  }

  /** Carries on the rolling resets this node coordinates (at start, and after a push with reset). */
  resume(): void {
    if (this.lifecycle !== 'running' || this.driving || this.restarting) return;
    this.driving = this.driveAll().finally(() => {
      this.driving = null;
    });
  }

  /** Waits until no rollout is being driven (for tests and an orderly stop). */
  async idle(): Promise<void> {
    await this.driving;
  }

  /**
   * Drives one rollout to its end (or to this process's restart) and stops: for a caller that
   * drives it with a database handle of its own (driveRollout). No settle timer.
   */
  async driveOnce(rolloutId: number): Promise<void> {
    if (this.lifecycle !== 'idle') throw new Error(`the rolling-reset driver cannot drive when ${this.lifecycle}`);
    this.lifecycle = 'running';
    const driving = this.drive(rolloutId).then(() => undefined);
    this.driving = driving;
    try {
      await driving;
    } finally {
      this.driving = null;
      this.lifecycle = 'stopped';
    }
  }

  private async driveAll(): Promise<void> {
    const { store, nodeId, log } = this.options;
    try {
      for (;;) {
        const [next] = await store.unfinished(nodeId);
        if (next === undefined || this.lifecycle !== 'running') return;
        if ((await this.drive(next)) === 'interrupted') return;
      }
    } catch (error) {
      log('warn', `rolling reset interrupted: ${describe(error)}; it continues at the next start`);
    }
  }

  private async drive(rolloutId: number): Promise<TDriveOutcome> {
    const { store, clock, nodeId, log } = this.options;
    const rollout = await store.load(rolloutId);
    if (!rollout || rollout.status !== 'RUNNING' || rollout.coordinatorNode !== nodeId) return 'ended';
    const actor = `rolling reset #${rollout.id} (${rollout.startedBy})`;
    const progress: TRolloutProgress = {
      steps: rollout.steps,
      restoreActiveNodeCount: rollout.restoreActiveNodeCount,
      phase: 'steps',
      releasingTo: null,
      failure: null,
      wait: null,
      begun: null,
    };
    const save = (end: Pick<TRolloutSave, 'status' | 'message'> = {}) =>
      store.save(rolloutId, { steps: progress.steps, restoreActiveNodeCount: progress.restoreActiveNodeCount, ...end });
    const fail = (index: number | null, message: string) => {
      log('error', `rolling reset #${rolloutId} failed: ${message}`);
      if (index !== null) Object.assign(progress.steps[index], { status: 'FAILED', message });
      Object.assign(progress, { failure: message, phase: 'restoring', wait: null });
    };
    /** why the active count could not be put back after a failure, if it could not */
    let restoreFailure: unknown = null;

    for (;;) {
      if (this.lifecycle !== 'running') return 'interrupted';
      try {
        if (progress.phase === 'finishing') {
          if (progress.failure === null) {
            await save({ status: 'COMPLETED' });
            await store.recordEvent('ROLLOUT_COMPLETED', nodeId, rollout.startedBy, {
              rollout: rolloutId,
              version: rollout.version,
            });
            return 'ended';
          }
          await this.recordFailure(rollout.id, rollout.startedBy, progress, restoreFailure, save);
          return 'ended';
        }
        const facts = await store.facts();
        const action = nextRolloutAction(progress, facts, { restartMs: this.timeouts.restartMs, nowMs: clock.monotonicMs() });
        progress.wait = action.kind === 'wait' ? action.wait : null;
        if (progress.phase === 'steps' && action.kind !== 'skip' && action.kind !== 'in-sync' && action.kind !== 'finish') {
          // the step under way has been looked at: from now on it goes to its restart
          progress.begun = progress.steps.find((step) => step.status !== 'IN_SYNC' && step.status !== 'SKIPPED')?.nodeId ?? null;
        }
        switch (action.kind) {
          case 'wait':
            await this.sleep(this.timeouts.pollMs);
            break;
          case 'skip':
            Object.assign(progress.steps[action.index], { status: 'SKIPPED', message: action.message });
            await save();
            break;
          case 'in-sync': {
            const step = progress.steps[action.index];
            const restarted = step.status === 'RESTARTING';
            Object.assign(step, { status: 'IN_SYNC', message: undefined });
            await save();
            if (restarted) log('info', `rolling reset: ${step.name} is back in sync`);
            break;
          }
          case 'add-slot': {
            const step = progress.steps.find((candidate) => candidate.status === 'WAITING');
            progress.restoreActiveNodeCount = action.from;
            await save();
            await store.setActiveNodeCount(facts.settingsVersion, action.from + 1, actor);
            log('info', `rolling reset: one more active slot while ${step?.name ?? 'a node'} restarts`);
            break;
          }
          case 'restart': {
            const step = progress.steps[action.index];
            step.status = 'RESTARTING';
            await save();
            await store.requestRestart(step.nodeId, actor, `rolling reset to configuration version ${facts.reference?.version}`);
            if (step.nodeId === nodeId) {
              // this process goes down now; after the restart, the driver carries on from here
              this.restarting = true;
              this.options.requestRestart(`rolling reset #${rolloutId}`);
              return 'interrupted';
            }
            break;
          }
          case 'fail':
            fail(action.index, action.message);
            break;
          case 'restore':
            await store.setActiveNodeCount(facts.settingsVersion, action.to, actor);
            Object.assign(progress, { restoreActiveNodeCount: null, releasingTo: action.to, phase: 'releasing' });
            await save();
            break;
          case 'released':
            progress.phase = 'finishing';
            break;
          case 'finish':
            progress.phase = progress.phase === 'steps' ? 'restoring' : 'finishing';
            break;
        }
      } catch (error) {
        if (progress.failure === null) {
          const index =
            progress.phase === 'steps'
              ? progress.steps.findIndex((step) => step.status !== 'IN_SYNC' && step.status !== 'SKIPPED')
              : -1;
          fail(index < 0 ? null : index, `stopped: ${describe(error)}`);
        } else {
          // putting the count back failed: it stays owed (restoreActiveNodeCount is saved with the
          // failure), and the settle pass of every node tries it again
          restoreFailure = error ?? new Error('unknown error');
          progress.phase = 'finishing';
        }
      }
    }
  }

  private async recordFailure(
    rolloutId: number,
    startedBy: string,
    progress: TRolloutProgress,
    restoreFailure: unknown,
    save: (end: Pick<TRolloutSave, 'status' | 'message'>) => Promise<void>,
  ): Promise<void> {
    const { store, nodeId, log } = this.options;
    const message = progress.failure!;
    await save({ status: 'FAILED', message })
      .then(() => store.recordEvent('ROLLOUT_FAILED', nodeId, startedBy, { rollout: rolloutId, message }))
      .catch((failure) => log('error', `could not record the failure of rolling reset #${rolloutId}: ${describe(failure)}`));
    const owed = progress.restoreActiveNodeCount;
    if (restoreFailure !== null && owed !== null) {
      await store
        .recordRestoreFailure(rolloutId, owed, restoreFailure, log)
        .catch((failure) =>
          log(
            'error',
            `rolling reset #${rolloutId}: the active node count could not be put back to ${owed}, nor could that be recorded (${describe(failure)})`,
          ),
        );
    }
  }

  /** Waits on the injected clock; stop() ends the wait at once. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.clock.setTimer(() => {
        this.cancelSleep = undefined;
        resolve();
      }, ms);
      this.cancelSleep = () => {
        cancel();
        resolve();
      };
    });
  }

  private scheduleSettle(): void {
    const everyMs = this.options.settleEveryMs === undefined ? SETTLE_EVERY_MS : this.options.settleEveryMs;
    if (everyMs === null || this.lifecycle !== 'running') return;
    const { store, clock, log } = this.options;
    this.cancelSettle = clock.setTimer(() => {
      this.settling = store
        .settleStalled(log)
        .catch((error) => log('warn', `checking rolling resets: ${describe(error)}`))
        .finally(() => this.scheduleSettle());
    }, everyMs);
  }
}

/** What driveRollout needs: a database handle, this node, and how to restart and log. */
export type TRolloutDriverContext = {
  db: TDb;
  nodeId: string;
  requestRestart(reason: string): void;
  log: TRolloutLog;
  timeouts?: Partial<typeof DEFAULT_ROLLOUT_TIMEOUTS>;
  /** deadlines are measured on a monotonic clock: a wall clock stepped by months moves none of them */
  monotonicMs?: () => number;
};

/**
 * Drives one rolling reset this node coordinates on DB, to its end or to this process's restart
 * (a database move drives its reset on the new database's URL). The node's own loop is the
 * RolloutDriver that configuration sync starts.
 */
export async function driveRollout(context: TRolloutDriverContext, rolloutId: number): Promise<void> {
  const clock: TClock = context.monotonicMs ? { ...systemClock, monotonicMs: context.monotonicMs } : systemClock;
  const driver = new RolloutDriver({
    store: new PrismaRolloutStore(context.db),
    clock,
    nodeId: context.nodeId,
    requestRestart: context.requestRestart,
    log: context.log,
    timeouts: context.timeouts,
    settleEveryMs: null,
  });
  await driver.driveOnce(rolloutId);
}
