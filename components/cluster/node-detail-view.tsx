'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { useCluster } from '@/lib/swr/use-cluster';
import { useClusterNode, type TNodeDetail } from '@/lib/swr/use-cluster-node';
import { useClusterEvents } from '@/lib/swr/use-cluster-events';
import { refreshMsFor, useRefreshCluster } from '@/lib/swr/polling';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EventList } from '@/components/cluster/event-list';
import { HeartbeatLagChart } from '@/components/cluster/heartbeat-lag-chart';
import { NodeFacts } from '@/components/cluster/node-facts';
import { NodeStateBadge } from '@/components/cluster/node-state-badge';

type TProps = { id: string; initial?: TNodeDetail };

/** One node: its state and facts, how regular its heartbeats are, and what happened to it. */
export function NodeDetailView({ id, initial }: TProps) {
  const { data, error } = useClusterNode(id, initial);
  const refreshMs = refreshMsFor(data?.intervalMs);
  const { data: events, error: eventsError } = useClusterEvents({ node: id }, refreshMs);
  const refreshAll = useRefreshCluster();
  const node = data?.node;
  // liveness events name the node that observed them by id
  const { data: cluster } = useCluster();
  const nodeNames = useMemo(() => new Map(cluster?.nodes.map((member) => [member.id, member.name])), [cluster]);

  return (
    <>
      <Link href="/cluster" className="text-sm font-medium text-indigo-700 hover:underline">
        ← Back to the cluster
      </Link>
      <header className="mt-3 mb-6 flex items-start justify-between gap-4">
        <div>
          <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold text-gray-900">
            {node?.name ?? 'Node'}
            {node && <NodeStateBadge state={node.state} />}
            {node?.local && <span className="text-sm font-normal text-gray-500">this node</span>}
          </h1>
          <p className="mt-1 min-h-5 font-mono text-sm break-all text-gray-600">{node?.url}</p>
        </div>
        <Button onClick={() => refreshAll()}>Refresh</Button>
      </header>
      <div className="space-y-6">
        {error && (
          <Alert title="The node could not be read">
            {error.code === 'DATABASE_UNREACHABLE' ? 'This node cannot reach the database.' : error.message}
          </Alert>
        )}
        <Card title="Facts">{node ? <NodeFacts node={node} /> : <p className="min-h-24 text-sm text-gray-500">Loading…</p>}</Card>
        <Card
          title="Heartbeat lag"
          description="Database time between this node's recent heartbeats; the dashed line is the interval."
        >
          {data ? (
            <HeartbeatLagChart gapsMs={data.recentGapsMs} intervalMs={data.intervalMs} />
          ) : (
            <p className="h-40 text-sm text-gray-500">Loading…</p>
          )}
        </Card>
        <Card title="State history and events">
          {eventsError && <p className="mb-2 text-sm text-red-700">The events could not be read: {eventsError.message}</p>}
          <EventList events={events} label="State history and events" nodeNames={nodeNames} />
        </Card>
      </div>
    </>
  );
}
