'use client';

import Link from 'next/link';
import type { TRunSummary } from '@/lib/workflow/views';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { EventTime } from '@/components/cluster/event-time';
import { RunStatusBadge } from '@/components/workflow/run-status-badge';
import { shortId } from '@/components/workflow/format';

// a running run shows its owner; a finished one the node that executed its last step
const COLUMNS = ['Run', 'Workflow', 'Status', 'Node', 'Epoch', 'Started', 'Finished'];

/** Runs, one per row; the id links to the run's page. */
export function RunTable({ runs, empty }: { runs: TRunSummary[] | undefined; empty: string }) {
  return (
    <Table caption="Runs">
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            <Th key={column}>{column}</Th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!runs && <WideRow columns={COLUMNS.length}>Loading the runs…</WideRow>}
        {runs?.length === 0 && <WideRow columns={COLUMNS.length}>{empty}</WideRow>}
        {runs?.map((run) => (
          <tr key={run.id}>
            <Td>
              <Link
                href={`/workflows/runs/${run.id}`}
                title={run.id}
                className="font-mono font-medium text-indigo-700 hover:underline"
              >
                {shortId(run.id)}
              </Link>
            </Td>
            <Td className="whitespace-nowrap">
              {run.workflowName} <span className="text-xs text-gray-500">v{run.workflowVersion}</span>
            </Td>
            <Td>
              <RunStatusBadge status={run.status} />
            </Td>
            <Td>
              {run.ownerNodeName ??
                (run.ownerNodeId ? shortId(run.ownerNodeId) : null) ??
                (run.lastNodeName ? (
                  <span className="text-gray-600">{run.lastNodeName}</span>
                ) : (
                  <span className="text-gray-400">—</span>
                ))}
            </Td>
            <Td className="tabular-nums">{run.ownerEpoch ?? run.lastEpoch ?? <span className="text-gray-400">—</span>}</Td>
            <Td className="whitespace-nowrap text-gray-600">
              <EventTime value={run.createdAt} />
            </Td>
            <Td className="whitespace-nowrap text-gray-600">
              {run.finishedAt ? <EventTime value={run.finishedAt} /> : <span className="text-gray-400">—</span>}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
