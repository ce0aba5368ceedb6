/**
 * The run page's timeline: each execution of an element (from the API's timeline) in the order
 * of the run's events, with the run's milestones between them (started, resumed by another
 * node, completed, failed, cancelled). Newest first, like every list of events in the console.
 */
import type { TRunEventView, TTimelineEntry } from '@/lib/workflow/views';

export type TTimelineRow =
  | {
      kind: 'element';
      key: string;
      entry: TTimelineEntry;
      /** its node was lost while it ran: it ran again after the resumption */ interrupted: boolean;
    }
  | { kind: 'milestone'; key: string; event: TRunEventView };

export function timelineRows(events: TRunEventView[], timeline: TTimelineEntry[]): TTimelineRow[] {
  const rows: TTimelineRow[] = [];
  let next = 0;
  events.forEach((event, index) => {
    if (event.kind !== 'ELEMENT') rows.push({ kind: 'milestone', key: `event-${event.id}`, event });
    // the API builds one timeline entry per ELEMENT event, in the same order
    else if (next < timeline.length) {
      const interrupted = events[index + 1]?.kind === 'RESUMED';
      rows.push({ kind: 'element', key: `event-${event.id}`, entry: timeline[next++], interrupted });
    }
  });
  return rows.reverse();
}

/** The resumptions of a run, oldest first: who took it over, where, under which epoch. */
export function resumptionsOf(events: TRunEventView[]): TRunEventView[] {
  return events.filter((event) => event.kind === 'RESUMED');
}
