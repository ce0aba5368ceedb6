'use client';

import type { TWorkflowSummary } from '@/lib/workflow/views';
import { Table, Th, WideRow } from '@/components/ui/table';
import { WorkflowRow } from '@/components/workflow/workflow-row';

const COLUMNS = ['Workflow', 'Version', 'Inputs', 'Elements', 'Actions'];

/** Every workflow at its latest version, with export for everyone and start for operators. */
export function WorkflowTable({ workflows, canStart }: { workflows: TWorkflowSummary[] | undefined; canStart: boolean }) {
  return (
    <Table caption="Workflows">
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            <Th key={column}>{column}</Th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!workflows && <WideRow columns={COLUMNS.length}>Loading the workflows…</WideRow>}
        {workflows?.length === 0 && (
          <WideRow columns={COLUMNS.length}>
            No workflows yet. The Cluster Test workflow appears when a node becomes active.
          </WideRow>
        )}
        {workflows?.map((workflow) => (
          <WorkflowRow key={workflow.name} workflow={workflow} columns={COLUMNS.length} canStart={canStart} />
        ))}
      </tbody>
    </Table>
  );
}
