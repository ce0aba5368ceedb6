/**
 * The configuration a node reports with each heartbeat, read through the function the server
 * gives the agent (kept out of lib/cluster/agent.ts: what the node reports, not how it is
 * elected). A configuration that cannot be read is not a heartbeat failure (liveness must not
 * depend on a file): the node heartbeats without it and says why, once per different reason (an
 * error in its log and one CONFIG_UNREADABLE cluster event), and once in its log when it can be
 * read again. The reason goes with every heartbeat until then (the member's sync state is
 * UNREADABLE while it lasts, lib/config/sync-state.ts), so the cluster page shows it instead of a
 * stale sync state.
 */
import type { TReportedConfiguration } from '@/lib/cluster/store';

export type TConfigurationEvent = { kind: 'CONFIG_UNREADABLE'; details: Record<string, unknown> };

export class ConfigurationReport {
  private unreadable: string | null = null;

  constructor(
    private readonly readConfiguration: (() => Promise<TReportedConfiguration>) | undefined,
    private readonly options: {
      log: (level: 'info' | 'error', message: string) => void;
      wallMs: () => number;
      /** a cluster event to record (the agent records it after the heartbeat) */
      event: (event: TConfigurationEvent) => void;
    },
  ) {}

  /** why the configuration could not be read at the last attempt, or null */
  get error(): string | null {
    return this.unreadable;
  }

  /** The configuration as it is now, or null when there is none to report or it cannot be read. */
  async read(): Promise<TReportedConfiguration | null> {
    if (!this.readConfiguration) return null;
    try {
      const configuration = await this.readConfiguration();
      if (this.unreadable !== null) this.options.log('info', 'the configuration can be read again');
      this.unreadable = null;
      return configuration;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason !== this.unreadable) {
        this.unreadable = reason;
        this.options.log(
          'error',
          `the configuration cannot be read (${reason}); the cluster page shows it as unreadable until it can be read again`,
        );
        this.options.event({
          kind: 'CONFIG_UNREADABLE',
          details: { message: reason, at: new Date(this.options.wallMs()).toISOString() },
        });
      }
      return null;
    }
  }
}
