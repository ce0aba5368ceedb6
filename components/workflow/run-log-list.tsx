'use client';

import { RUN_PAGE_LOG_LINES } from '@/lib/workflow/limits';
import type { TRunLogEntryView } from '@/lib/workflow/views';
import { EventTime } from '@/components/cluster/event-time';
import { LogLevelBadge } from '@/components/logs/log-level-badge';

/** A run's server log, newest first: the same entries on every node, since they live in the database. */
export function RunLogList({ entries }: { entries: TRunLogEntryView[] | undefined }) {
  if (!entries) return <p className="min-h-16 py-2 text-sm text-gray-500">Loading the server log…</p>;
  if (entries.length === 0) return <p className="min-h-16 py-2 text-sm text-gray-500">No server log entries yet.</p>;
  return (
    <>
      {entries.length >= RUN_PAGE_LOG_LINES && (
        <p className="mb-2 text-sm text-gray-600">
          The latest {RUN_PAGE_LOG_LINES.toLocaleString('en')} lines are shown; earlier ones are not.
        </p>
      )}
      <ol aria-label="Server log" className="max-h-80 divide-y divide-gray-100 overflow-auto">
        {[...entries].reverse().map((entry) => (
          <li key={entry.id} className="grid grid-cols-[12.5rem_4rem_6rem_1fr] items-baseline gap-x-4 py-1.5 text-sm">
            <span className="text-gray-600">
              <EventTime value={entry.at} />
            </span>
            <span>
              <LogLevelBadge level={entry.level} />
            </span>
            <span className="truncate text-gray-600" title={entry.elementId ?? undefined}>
              {entry.nodeName ?? '—'}
            </span>
            <span className="min-w-0 font-mono text-xs break-words text-gray-900">{entry.message}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
