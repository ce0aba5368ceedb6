/**
 * Keeps the log level equal to the `logLevel` server setting however it changed: saved on this
 * node (applied there at once), pushed from another node, or edited on disk. Checks every second.
 */
import { setLogLevel, type TLogLevel } from '@/lib/node/log';

type TOptions = { readLevel: () => Promise<TLogLevel>; intervalMs?: number; onError?: (error: unknown) => void };

export class LogLevelFollower {
  private lifecycle: 'idle' | 'running' | 'stopped' = 'idle';
  private timer?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();

  constructor(private readonly options: TOptions) {}

  /** Applies the level once (before the first line at it), then follows it. */
  async start(): Promise<void> {
    if (this.lifecycle !== 'idle') throw new Error(`the log level follower cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    await this.apply();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.lifecycle = 'stopped';
    clearTimeout(this.timer);
    await this.work;
  }

  private async apply(): Promise<void> {
    try {
      setLogLevel(await this.options.readLevel());
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private schedule(): void {
    if (this.lifecycle !== 'running') return;
    this.timer = setTimeout(() => {
      this.work = this.apply().finally(() => this.schedule());
    }, this.options.intervalMs ?? 1_000);
  }
}
