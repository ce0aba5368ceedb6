'use client';

import type { TClusterEventView } from '@/lib/cluster/events';
import { Badge } from '@/components/ui/badge';
import { EventTime } from '@/components/cluster/event-time';
import { eventLabel, eventTone, summarizeEvent } from '@/components/cluster/event-labels';

type TProps = {
  events: TClusterEventView[] | undefined;
  /** names the list for screen readers, e.g. "Events" */
  label: string;
  /** what to say when the list is empty, e.g. "No events match these filters." */
  empty?: string;
  /** node names by id, to name the node that reported an event (liveness events carry the observer's id) */
  nodeNames?: ReadonlyMap<string, string>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "by root" for a person; "reported by node-1" for a node that observed the event. */
function describeActor(actor: string, nodeNames: ReadonlyMap<string, string> | undefined): string {
  if (!UUID.test(actor)) return `by ${actor}`;
  return `reported by ${nodeNames?.get(actor) ?? `node ${actor.slice(0, 8)}`}`;
}

/** A timeline, newest first: when, what, which node, who, and the gist of the details. */
export function EventList({ events, label, empty = 'No events yet.', nodeNames }: TProps) {
  if (!events) return <p className="min-h-24 py-2 text-sm text-gray-500">Loading events…</p>;
  if (events.length === 0) return <p className="min-h-24 py-2 text-sm text-gray-500">{empty}</p>;
  return (
    <ol aria-label={label} className="divide-y divide-gray-100">
      {events.map((event) => {
        const summary = summarizeEvent(event);
        return (
          <li key={event.id} className="grid grid-cols-[12.5rem_10rem_1fr] items-baseline gap-x-4 py-2 text-sm">
            <span className="text-gray-600">
              <EventTime value={event.at} />
            </span>
            <span>
              <Badge tone={eventTone(event.kind)}>{eventLabel(event.kind)}</Badge>
            </span>
            <span className="min-w-0 text-gray-800">
              {event.nodeName && <span className="font-medium">{event.nodeName}</span>}
              {event.actor && <span className="text-gray-600"> {describeActor(event.actor, nodeNames)}</span>}
              {summary && (
                <span className="text-gray-600">
                  {event.nodeName || event.actor ? ' · ' : ''}
                  {summary}
                </span>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
