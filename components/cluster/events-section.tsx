'use client';

import { useMemo, useState } from 'react';
import { EVENT_KINDS } from '@/lib/cluster/events';
import type { TMemberView } from '@/lib/cluster/status';
import { useClusterEvents } from '@/lib/swr/use-cluster-events';
import { Card } from '@/components/ui/card';
import { NodeSelectField } from '@/components/cluster/node-select-field';
import { SelectField } from '@/components/ui/form-field';
import { EventList } from '@/components/cluster/event-list';
import { EVENT_LABELS } from '@/components/cluster/event-labels';

type TProps = { nodes: TMemberView[]; refreshMs: number };

/** The cluster's latest events, filterable by node and kind, following the heartbeat. */
export function EventsSection({ nodes, refreshMs }: TProps) {
  const [node, setNode] = useState('');
  const [kind, setKind] = useState('');
  const { data: events, error } = useClusterEvents({ node: node || undefined, kind: kind || undefined }, refreshMs);
  const filtered = node !== '' || kind !== '';
  const nodeNames = useMemo(() => new Map(nodes.map((member) => [member.id, member.name])), [nodes]);

  return (
    <Card title="Events" description="Role changes, liveness stages, maintenance and settings changes, newest first.">
      <div className="mb-3 grid max-w-xl grid-cols-2 gap-4">
        <NodeSelectField label="Filter by node" value={node} nodes={nodes} onChange={setNode} />
        <SelectField label="Filter by kind" value={kind} onChange={(event) => setKind(event.target.value)}>
          <option value="">All</option>
          {EVENT_KINDS.map((value) => (
            <option key={value} value={value}>
              {EVENT_LABELS[value]}
            </option>
          ))}
        </SelectField>
      </div>
      {error && <p className="mb-2 text-sm text-red-700">The events could not be read: {error.message}</p>}
      <EventList
        events={events}
        label="Events"
        empty={filtered ? 'No events match these filters.' : 'No events yet.'}
        nodeNames={nodeNames}
      />
    </Card>
  );
}
