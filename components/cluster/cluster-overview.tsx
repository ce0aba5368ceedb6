'use client';

import type { ReactNode } from 'react';
import { useCluster } from '@/lib/swr/use-cluster';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { PageHeader } from '@/components/shell/page-header';
import { NodeStateBadge } from '@/components/cluster/node-state-badge';

export function ClusterOverview() {
  const { data, error } = useCluster();
  const node = data?.nodes.find((candidate) => candidate.local);

  return (
    <>
      <PageHeader title="Cluster" description="This node as it sees itself; the view refreshes every two seconds." />
      <div className="space-y-4">
        {error && <Alert title="The cluster status could not be read">{error.message}</Alert>}
        <Card title="This node" description={data ? (data.clusterId ? `Cluster ${data.clusterId}` : 'Standalone: not in a cluster') : '\u00a0'}>
          <dl className="grid grid-cols-1 gap-x-8 gap-y-4 sm:grid-cols-2 lg:grid-cols-3">
            <Item label="Name">{node?.name}</Item>
            <Item label="Address">{node && <span className="font-mono text-xs break-all">{node.url}</span>}</Item>
            <Item label="State">{node && <NodeStateBadge state={node.state} />}</Item>
            <Item label="Epoch">{node?.epoch ?? '—'}</Item>
            <Item label="Version">{node?.version}</Item>
            <Item label="Started">{node && <DateTime value={node.startedAt} />}</Item>
          </dl>
        </Card>
        <p className="text-sm text-gray-600">
          Cluster management (joining nodes, heartbeat settings, pushing configuration and failover) arrives with the cluster
          core.
        </p>
      </div>
    </>
  );
}

/** One fact; an empty value keeps its line height so the card does not jump when data arrives. */
function Item({ label, children }: { label: string; children: ReactNode }) {
  const empty = children === undefined || children === null || children === false;
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</dt>
      <dd className="mt-1 min-h-6 text-sm text-gray-900">{empty ? <span className="text-gray-400">—</span> : children}</dd>
    </div>
  );
}
