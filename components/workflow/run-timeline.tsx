'use client';

import type { TRunEventView, TTimelineEntry } from '@/lib/workflow/views';
import { Badge, type TTone } from '@/components/ui/badge';
import { EventTime } from '@/components/cluster/event-time';
import { formatDuration } from '@/components/workflow/format';
import { timelineRows } from '@/components/workflow/timeline-rows';

const CELL = 'px-3 py-1.5 align-top';
const HEAD = `${CELL} sticky top-0 z-10 bg-gray-50 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase`;
const COLUMNS = ['Time', 'Element', 'Attempt', 'Node', 'Epoch', 'Took', 'Output'];

const MILESTONE_TONES: Record<string, TTone> = {
  COMPLETED: 'green',
  STARTED: 'blue',
  RESUMED: 'amber',
  FAILED: 'red',
  CANCELLED: 'gray',
  CREATED: 'gray',
};

/** Every element the run executed, newest first, with the node and epoch of each; a resumption stands out. */
export function RunTimeline({ events, timeline }: { events: TRunEventView[]; timeline: TTimelineEntry[] }) {
  const rows = timelineRows(events, timeline);
  return (
    <div className="max-h-[32rem] overflow-auto rounded-lg border border-gray-200 bg-white">
      <table aria-label="Timeline" className="min-w-full text-sm">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={HEAD}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className={`${CELL} text-gray-600`}>
                No element has run yet: the run waits for an active node.
              </td>
            </tr>
          )}
          {rows.map((row) =>
            row.kind === 'element' ? (
              <ElementRow key={row.key} entry={row.entry} interrupted={row.interrupted} />
            ) : (
              <MilestoneRow key={row.key} event={row.event} />
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function ElementRow({ entry, interrupted }: { entry: TTimelineEntry; interrupted: boolean }) {
  const again = entry.attempt > 1;
  return (
    <tr className={again ? 'bg-amber-50/60' : undefined}>
      <td className={`${CELL} whitespace-nowrap text-gray-600`}>
        <EventTime value={entry.startedAt} />
      </td>
      <td className={CELL}>
        <span className="font-mono text-xs text-gray-900">{entry.elementId}</span>
        {entry.type && <span className="ml-1.5 text-xs text-gray-500">{entry.type}</span>}
      </td>
      <td className={`${CELL} tabular-nums ${again ? 'font-semibold text-amber-900' : ''}`}>{entry.attempt}</td>
      <td className={CELL}>{entry.nodeName ?? '—'}</td>
      <td className={`${CELL} tabular-nums`}>{entry.epoch ?? '—'}</td>
      <td className={`${CELL} whitespace-nowrap tabular-nums text-gray-600`}>
        {interrupted ? (
          <span className="font-medium text-amber-900">interrupted</span>
        ) : (
          formatDuration(entry.startedAt, entry.endedAt)
        )}
      </td>
      <td className={`${CELL} text-gray-800`}>{entry.message}</td>
    </tr>
  );
}

function MilestoneRow({ event }: { event: TRunEventView }) {
  const resumed = event.kind === 'RESUMED';
  return (
    <tr className={resumed ? 'bg-amber-50' : 'bg-gray-50/60'}>
      <td className={`${CELL} whitespace-nowrap text-gray-600`}>
        <EventTime value={event.at} />
      </td>
      <td colSpan={COLUMNS.length - 1} className={CELL}>
        <span className="inline-flex flex-wrap items-center gap-2">
          <Badge tone={MILESTONE_TONES[event.kind] ?? 'gray'}>{event.kind.toLowerCase()}</Badge>
          <span className={resumed ? 'font-semibold text-amber-950' : 'text-gray-700'}>{event.message ?? ''}</span>
        </span>
      </td>
    </tr>
  );
}
