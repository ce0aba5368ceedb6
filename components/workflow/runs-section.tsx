'use client';

import { useState } from 'react';
import { RUN_STATUSES, type TRunStatus } from '@/lib/workflow/schemas';
import { clusterRefreshMs, useCluster } from '@/lib/swr/use-cluster';
import { RUNS_SHOWN, useRuns } from '@/lib/swr/use-runs';
import { useWorkflows } from '@/lib/swr/use-workflows';
import { Card } from '@/components/ui/card';
import { NodeSelectField } from '@/components/cluster/node-select-field';
import { SelectField } from '@/components/ui/form-field';
import { RunTable } from '@/components/workflow/run-table';

/** The cluster's runs, newest first, filtered by status, workflow and owner node, following the heartbeat. */
export function RunsSection() {
  const [status, setStatus] = useState<TRunStatus | ''>('');
  const [workflow, setWorkflow] = useState('');
  const [node, setNode] = useState('');
  const { data: cluster } = useCluster();
  const { data: workflows } = useWorkflows();
  const { data: runs, error } = useRuns(
    { status: status || undefined, workflow: workflow || undefined, node: node || undefined },
    clusterRefreshMs(cluster),
  );
  const nodes = cluster?.nodes.filter((member) => member.state !== 'REMOVED') ?? [];
  const filtered = status !== '' || workflow !== '' || node !== '';

  return (
    <Card title="Runs" description={`The latest ${RUNS_SHOWN} runs, newest first. The owner is the node executing a run; a finished run has none.`}>
      <div className="mb-3 grid max-w-2xl grid-cols-3 gap-4">
        <SelectField label="Status" value={status} onChange={(event) => setStatus(event.target.value as TRunStatus | '')}>
          <option value="">All</option>
          {RUN_STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
        <SelectField label="Workflow" value={workflow} onChange={(event) => setWorkflow(event.target.value)}>
          <option value="">All</option>
          {workflows?.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name}
            </option>
          ))}
        </SelectField>
        <NodeSelectField label="Node" value={node} nodes={nodes} onChange={setNode} />
      </div>
      {error && <p className="mb-2 text-sm text-red-700">The runs could not be read: {error.message}</p>}
      <RunTable runs={runs} empty={filtered ? 'No runs match these filters.' : 'No runs yet.'} />
    </Card>
  );
}
