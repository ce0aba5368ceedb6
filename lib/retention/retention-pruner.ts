/**
 * Applies the retention server settings: an active node prunes the shared records every 10 s
 * (pruneClusterData takes an advisory lock, so only one node works at a time). Standbys do not.
 */
import type { TPruned, TRetentionLimits } from '@/lib/retention/prune-cluster-data';

type TOptions = {
  isActive: () => boolean;
  limits: () => Promise<TRetentionLimits>;
  prune: (limits: TRetentionLimits) => Promise<TPruned | null>;
  intervalMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
};

const PRUNE_EVERY_MS = 10_000;

export class RetentionPruner {
  private lifecycle: 'idle' | 'running' | 'stopped' = 'idle';
  private timer?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();

  constructor(private readonly options: TOptions) {}

  start(): void {
    if (this.lifecycle !== 'idle') throw new Error(`the retention pruner cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.schedule();
  }

  async stop(): Promise<void> {
    this.lifecycle = 'stopped';
    clearTimeout(this.timer);
    await this.work;
  }

  /** One pass (the loop's; tests may call it). */
  async pruneOnce(): Promise<TPruned | null> {
    if (!this.options.isActive()) return null;
    try {
      const pruned = await this.options.prune(await this.options.limits());
      const total = pruned ? Object.values(pruned).reduce((sum, count) => sum + count, 0) : 0;
      if (pruned && total > 0) {
        this.options.log?.(
          'info',
          `retention: deleted ${pruned.auditEntries} audit entries, ${pruned.events} events, ${pruned.deliveries} notification deliveries, ${pruned.configVersions} configuration versions, ${pruned.configBlobs} configuration files`,
        );
      }
      return pruned;
    } catch (error) {
      this.options.log?.('warn', `retention pruning failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private schedule(): void {
    if (this.lifecycle !== 'running') return;
    this.timer = setTimeout(() => {
      this.work = this.pruneOnce().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.options.intervalMs ?? PRUNE_EVERY_MS);
  }
}
