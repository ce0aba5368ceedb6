/**
 * A node's part in configuration sync, run in the server process next to the cluster agent:
 * - writes a newly pushed version into the data directory within one heartbeat of the push
 *   (and once at start, before the configuration is loaded, so a node that was down comes up
 *   with the reference);
 * - restarts the process when an operator or a rolling reset asked for it;
 * - drives the rolling resets this node coordinates.
 */
import type { TDb } from '@/lib/db/client';
import type { THeartbeatResult } from '@/lib/cluster/store';
import { readAppliedReference } from '@/lib/config/applied-reference';
import { applyReference } from '@/lib/config/apply-reference';
import { driveRollout, unfinishedRollouts, type TRolloutDriver } from '@/lib/config/rollout';
import { restoreActiveSlots, rolloutsToSettle, settleStalledRollouts, tryLockConfiguration } from '@/lib/config/settle-rollouts';

export type TConfigSyncOptions = {
  db: TDb;
  dataDir: string;
  nodeId: string;
  requestRestart(reason: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  rolloutTimeouts?: TRolloutDriver['timeouts'];
  /** for retry delays and rollout deadlines; a wall clock that jumps must move none of them */
  monotonicMs?: () => number;
};

export class ConfigSync {
  private appliedVersion = 0;
  private applying = false;
  /** after a failed write, the next try waits: the error is logged once per try, not per heartbeat */
  private retryAfterMs = 0;
  private restarting = false;
  private driving = false;
  private stopped = false;

  private readonly monotonicMs: () => number;

  constructor(private readonly options: TConfigSyncOptions) {
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  /** At start, before the process loads its configuration. A failure leaves the files as they were. */
  async applyAtStart(): Promise<void> {
    await this.apply();
  }

  onHeartbeat(heartbeat: THeartbeatResult): void {
    if (this.stopped) return;
    if (heartbeat.restartRequested && !this.restarting) {
      this.restarting = true;
      this.options.log('info', 'restart requested: restarting');
      this.options.requestRestart('requested by an operator or a rolling reset');
    }
    const newer = heartbeat.referenceVersion !== null && heartbeat.referenceVersion > this.appliedVersion;
    if (newer && !this.applying && this.monotonicMs() >= this.retryAfterMs) void this.apply();
  }

  /** Carries on the rolling resets this node coordinates (called at start and after a push). */
  resumeRollouts(): void {
    if (this.driving || this.stopped) return;
    this.driving = true;
    void (async () => {
      try {
        for (;;) {
          const [next] = await unfinishedRollouts(this.options.db, this.options.nodeId);
          if (next === undefined || this.stopped || this.restarting) return;
          await driveRollout(
            { ...this.options, requestRestart: (reason) => this.restartForRollout(reason), timeouts: this.options.rolloutTimeouts, monotonicMs: this.monotonicMs },
            next,
          );
          if (this.restarting) return;
        }
      } catch (error) {
        this.options.log('warn', `rolling reset interrupted: ${String(error)}; it continues at the next start`);
      } finally {
        this.driving = false;
      }
    })();
  }

  /**
   * Every few seconds: give up rolling resets whose coordinator went silent (and put back the
   * active slot they added). Any node may do it; the configuration lock serializes them.
   */
  startWatchingRollouts(everyMs = 10_000): void {
    const timer = setInterval(() => {
      if (this.stopped) return clearInterval(timer);
      void (async () => {
        const { db } = this.options;
        if (!(await rolloutsToSettle(db))) return;
        const restores = await db.$transaction(async (tx) => {
          // another node is at it (or pushing): its turn, not ours; nobody waits
          if (!(await tryLockConfiguration(tx))) return [];
          return (await settleStalledRollouts(tx)).restores;
        });
        await restoreActiveSlots(db, restores, this.options.log);
      })().catch((error) => this.options.log('warn', `checking rolling resets: ${String(error)}`));
    }, everyMs);
    timer.unref();
  }

  stop(): void {
    this.stopped = true;
  }

  private restartForRollout(reason: string): void {
    this.restarting = true;
    this.options.requestRestart(reason);
  }

  private async apply(): Promise<void> {
    this.applying = true;
    try {
      const version = await applyReference(this.options.db, this.options.dataDir, this.options.nodeId);
      if (version !== null) this.options.log('info', `configuration version ${version} written; it takes effect at the next restart (hot settings at once)`);
      this.appliedVersion = (await readAppliedReference(this.options.dataDir))?.version ?? 0;
      this.retryAfterMs = 0;
    } catch (error) {
      this.retryAfterMs = this.monotonicMs() + 30_000;
      this.options.log('error', `could not apply the pushed configuration (trying again in 30 s): ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.applying = false;
    }
  }
}
