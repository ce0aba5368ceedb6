/**
 * Turns the cluster's alarms (lib/cluster/alarms.ts: no active node, fewer active than
 * configured, clock skew, certificate expiring) into ALARM_RAISED / ALARM_CLEARED cluster events,
 * which the outbox trigger hands to the notification targets. It runs on every live node, standby
 * included: "no active node" is exactly when no active node can say it. The alarm_state table
 * makes each raise and each clear happen once, whichever node sees it first.
 *
 * An alarm is raised after two evaluations in a row saw it, and cleared after two in a row did
 * not, so a slot moving from one node to the next does not page anyone.
 */
import type { TDb } from '@/lib/db/client';
import type { TAlarm } from '@/lib/cluster/alarms';

export type TAlarmStore = {
  /** raises the alarms not yet raised, clears the raised ones whose key is not in `keep`; returns what changed */
  reconcile(raise: TKeyedAlarm[], keep: string[]): Promise<{ raised: string[]; cleared: string[] }>;
};

export type TKeyedAlarm = TAlarm & { key: string };

export const alarmKey = (alarm: TAlarm) => `${alarm.code}:${alarm.nodeId ?? 'cluster'}`;

type TWatcherOptions = {
  store: TAlarmStore;
  readAlarms: () => Promise<TAlarm[]>;
  intervalMs: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
};

export class AlarmWatcher {
  private lifecycle: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private timer?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  /** the keys the previous evaluation saw (null before the first) */
  private previous: Set<string> | null = null;
  private readonly log: NonNullable<TWatcherOptions['log']>;

  constructor(private readonly options: TWatcherOptions) {
    this.log = options.log ?? (() => {});
  }

  start(): void {
    if (this.lifecycle !== 'idle') throw new Error(`the alarm watcher cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.schedule();
  }

  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'stopping';
    clearTimeout(this.timer);
    await this.work;
    this.lifecycle = 'stopped';
  }

  /** One evaluation (the loop calls it every interval; tests may call it directly). */
  async evaluate(): Promise<void> {
    let alarms: TKeyedAlarm[];
    try {
      alarms = (await this.options.readAlarms()).map((alarm) => ({ ...alarm, key: alarmKey(alarm) }));
    } catch (error) {
      // without the database there is nothing to compare with; start over when it is back
      this.previous = null;
      this.log('warn', `could not read the cluster's alarms: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const current = new Set(alarms.map((alarm) => alarm.key));
    const previous = this.previous;
    this.previous = current;
    if (previous === null) return;
    const raise = alarms.filter((alarm) => previous.has(alarm.key));
    const keep = [...new Set([...current, ...previous])];
    try {
      const changed = await this.options.store.reconcile(raise, keep);
      for (const key of changed.raised) this.log('warn', `alarm raised: ${key}`);
      for (const key of changed.cleared) this.log('info', `alarm cleared: ${key}`);
    } catch (error) {
      this.log('warn', `could not record alarms: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private schedule(): void {
    if (this.lifecycle !== 'running') return;
    this.timer = setTimeout(() => {
      this.work = this.evaluate().finally(() => this.schedule());
    }, this.options.intervalMs());
  }
}

export function pgAlarmStore(db: TDb): TAlarmStore {
  return {
    async reconcile(raise, keep) {
      const raised: string[] = [];
      for (const alarm of raise) {
        // ON CONFLICT DO NOTHING: the node that inserts the row is the one that records the event
        const rows = await db.$queryRaw<{ key: string }[]>`
          WITH inserted AS (
            INSERT INTO alarm_state (key, code, node_id, message)
            VALUES (${alarm.key}, ${alarm.code}, ${alarm.nodeId ?? null}::uuid, ${alarm.message})
            ON CONFLICT (key) DO NOTHING
            RETURNING key, code, node_id, message),
          recorded AS (
            INSERT INTO cluster_event (kind, node_id, details)
            SELECT 'ALARM_RAISED', node_id, jsonb_build_object('code', code, 'message', message) FROM inserted)
          SELECT key FROM inserted`;
        raised.push(...rows.map((row) => row.key));
      }
      // the DELETE locks what it removes: of two nodes clearing at once, one gets the rows
      const cleared = await db.$queryRaw<{ key: string }[]>`
        WITH deleted AS (
          DELETE FROM alarm_state WHERE NOT (key = ANY (${keep}::text[]))
          RETURNING key, code, node_id, message),
        recorded AS (
          INSERT INTO cluster_event (kind, node_id, details)
          SELECT 'ALARM_CLEARED', node_id, jsonb_build_object('code', code, 'message', message) FROM deleted)
        SELECT key FROM deleted`;
      return { raised, cleared: cleared.map((row) => row.key) };
    },
  };
}
