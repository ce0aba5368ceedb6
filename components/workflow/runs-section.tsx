'use client';

import { useState } from 'react';
import { RUN_STATUSES, type TRunStatus } from '@/lib/workflow/schemas';
import { clusterRefreshMs, useCluster } from '@/lib/swr/use-cluster';
import { RUNS_SHOWN, useRuns } from '@/lib/swr/use-runs';
import { useWorkflows } from '@/lib/swr/use-workflows';
import { Card } from '@/components/ui/card';
import { NodeSelectField } from '@/components/cluster/node-select-field';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/form-field';
import { RunTable } from '@/components/workflow/run-table';

/**
 * The cluster's runs, newest first, filtered by status, workflow and owner node, following the
 * heartbeat, a page at a time: each older page starts after the last run of the page before.
 */
export function RunsSection() {
  const [status, setStatus] = useState<TRunStatus | ''>('');
  const [workflow, setWorkflow] = useState('');
  const [node, setNode] = useState('');
  /** the cursors of the pages walked through; empty on the newest page */
  const [cursors, setCursors] = useState<string[]>([]);
  const { data: cluster } = useCluster();
  const { data: workflows } = useWorkflows();
  const { data: runs, error } = useRuns(
    { status: status || undefined, workflow: workflow || undefined, node: node || undefined, before: cursors.at(-1) },
    clusterRefreshMs(cluster),
  );
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setCursors([]);
    };
  const nodes = cluster?.nodes.filter((member) => member.state !== 'REMOVED') ?? [];
  const filtered = status !== '' || workflow !== '' || node !== '';

  return (
    <Card
      title="Runs"
      description={`${RUNS_SHOWN} runs a page, newest first. The owner is the node executing a run; a finished run has none.`}
    >
      <div className="mb-3 grid max-w-2xl grid-cols-3 gap-4">
        <SelectField label="Status" value={status} onChange={(event) => filter(setStatus)(event.target.value as TRunStatus | '')}>
          <option value="">All</option>
          {RUN_STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
        <SelectField label="Workflow" value={workflow} onChange={(event) => filter(setWorkflow)(event.target.value)}>
          <option value="">All</option>
          {workflows?.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name}
            </option>
          ))}
        </SelectField>
        <NodeSelectField label="Node" value={node} nodes={nodes} onChange={filter(setNode)} />
      </div>
      {error && <p className="mb-2 text-sm text-red-700">The runs could not be read: {error.message}</p>}
      <RunTable runs={runs} empty={filtered ? 'No runs match these filters.' : 'No runs yet.'} />
      <div className="mt-3 flex gap-2">
        <Button size="sm" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </Button>
        <Button
          size="sm"
          disabled={!runs || runs.length < RUNS_SHOWN}
          onClick={() => runs && setCursors([...cursors, runs[runs.length - 1].id])}
        >
          Older →
        </Button>
      </div>
    </Card>
  );
}
