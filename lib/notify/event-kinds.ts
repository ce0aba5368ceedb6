/**
 * The event kinds a notification target can choose, named as `orchctl events` prints them
 * (cluster events, plus RUN_RESUMED from a workflow run's events). TEST is what *Send test* sends.
 */
export const NOTIFY_EVENT_KINDS = [
  'BECAME_ACTIVE',
  'NOT_RESPONDING',
  'FENCED',
  'RUN_RESUMED',
  // recorded by the database high-availability work when the shared database's primary changes
  'DATABASE_FAILOVER',
  // after a database failover, the element completions the new primary lacks (asynchronous replication)
  'DATABASE_FAILOVER_LOST_WORK',
  'ALARM_RAISED',
  'ALARM_CLEARED',
  'CONFIG_PUSHED',
  'ROLLOUT_FAILED',
] as const;
export type TNotifyEventKind = (typeof NOTIFY_EVENT_KINDS)[number];

/** "all", or kinds separated by commas, as the CLI and the form take them. */
export function parseEventKinds(value: string): TNotifyEventKind[] {
  if (value.trim().toLowerCase() === 'all') return [...NOTIFY_EVENT_KINDS];
  const kinds = value
    .split(',')
    .map((kind) => kind.trim().toUpperCase())
    .filter(Boolean);
  const unknown = kinds.filter((kind) => !(NOTIFY_EVENT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0)
    throw new Error(`unknown event kind ${unknown.join(', ')}; choose from ${NOTIFY_EVENT_KINDS.join(', ')} or "all"`);
  if (kinds.length === 0) throw new Error('choose at least one event kind, or "all"');
  return [...new Set(kinds)] as TNotifyEventKind[];
}
