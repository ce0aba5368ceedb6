'use client';

import { useState } from 'react';
import type { TWorkflowSummary } from '@/lib/workflow/views';
import { Button } from '@/components/ui/button';
import { Td } from '@/components/ui/table';
import { ExportWorkflowButton } from '@/components/workflow/export-workflow-button';
import { InputList } from '@/components/workflow/input-list';
import { StartRunForm } from '@/components/workflow/start-run-form';

type TProps = { workflow: TWorkflowSummary; columns: number; canStart: boolean };

/** One definition; "Start" opens the form of its inputs in a row below. */
export function WorkflowRow({ workflow, columns, canStart }: TProps) {
  const [starting, setStarting] = useState(false);
  return (
    <>
      <tr className="align-top">
        <Td className="max-w-md">
          <span className="font-medium text-gray-900">{workflow.name}</span>
          {workflow.description && <p className="mt-0.5 text-xs text-gray-600">{workflow.description}</p>}
        </Td>
        <Td className="tabular-nums">{workflow.version}</Td>
        <Td>
          <InputList inputs={workflow.inputs} />
        </Td>
        <Td className="tabular-nums">{workflow.elementCount}</Td>
        <Td>
          <div className="flex gap-2">
            <ExportWorkflowButton name={workflow.name} />
            {canStart && (
              <Button
                size="sm"
                variant={starting ? 'ghost' : 'primary'}
                aria-expanded={starting}
                onClick={() => setStarting(!starting)}
              >
                {starting ? 'Close' : 'Start'}
              </Button>
            )}
          </div>
        </Td>
      </tr>
      {starting && (
        <tr>
          <td colSpan={columns} className="bg-gray-50 px-4 py-4">
            <StartRunForm workflow={workflow} />
          </td>
        </tr>
      )}
    </>
  );
}
