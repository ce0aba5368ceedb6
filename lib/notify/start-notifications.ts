/**
 * The notification loops of one node: the dispatcher (delivers the outbox) and the alarm watcher
 * (records alarms raised and cleared). Started by the server entry next to the agent, on every
 * node; stop() waits for both.
 */
import type { TDb } from '@/lib/db/client';
import { readClusterStatus } from '@/lib/cluster/status';
import { AlarmWatcher, pgAlarmStore } from '@/lib/notify/alarm-watcher';
import { NotificationDispatcher } from '@/lib/notify/dispatcher';
import { pgOutboxStore } from '@/lib/notify/outbox';
import { sendNotification } from '@/lib/notify/send-notification';

type TOptions = {
  db: TDb;
  node: { id: string; name: string };
  /** the cluster's heartbeat interval now (the loops follow it) */
  intervalMs: () => number;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
};

export function startNotifications(options: TOptions): { stop(): Promise<void> } {
  const dispatcher = new NotificationDispatcher({
    store: pgOutboxStore(options.db),
    node: options.node,
    send: sendNotification,
    // within half an interval of the event: "within window + 2 intervals" leaves room for one retry
    pollMs: () => Math.min(1_000, Math.max(200, options.intervalMs() / 2)),
    log: options.log,
  });
  const alarms = new AlarmWatcher({
    store: pgAlarmStore(options.db),
    readAlarms: async () => (await readClusterStatus(options.db)).alarms,
    intervalMs: () => Math.max(500, options.intervalMs()),
    log: options.log,
  });
  dispatcher.start();
  alarms.start();
  return { stop: async () => void (await Promise.all([dispatcher.stop(), alarms.stop()])) };
}
