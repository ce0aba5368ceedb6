'use client';

import type { TMemberView } from '@/lib/cluster/status';
import { CELL, NodeRow } from '@/components/cluster/node-row';
import type { TNodeActionKind } from '@/lib/cluster/node-actions';

const HEAD = `${CELL} bg-gray-50 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase`;
const COLUMNS = [
  'Name',
  'Address',
  'State',
  'Last heartbeat',
  'Epoch',
  'Clock skew',
  'Version',
  'Configuration',
  'Restart pending',
];

type TProps = {
  nodes: TMemberView[] | undefined;
  /** the heartbeat interval: how often an open configuration difference is read again */
  refreshMs: number;
  actions?: { busyId: string | null; onAction: (node: TMemberView, action: TNodeActionKind) => Promise<void> };
};

/** Every member, removed ones last; the table keeps its rows while a refresh is under way. */
export function NodeTable({ nodes, refreshMs, actions }: TProps) {
  const ordered = nodes && [
    ...nodes.filter((node) => node.state !== 'REMOVED'),
    ...nodes.filter((node) => node.state === 'REMOVED'),
  ];
  const activeCount = nodes?.filter((node) => node.state === 'ACTIVE').length ?? 0;
  const columns = COLUMNS.length + (actions ? 1 : 0);
  return (
    <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white">
      <table aria-label="Nodes" className="min-w-full divide-y divide-gray-200 text-sm">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={HEAD}>
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col" className={HEAD}>
                Actions
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {!ordered && (
            <tr>
              <td colSpan={columns} className={`${CELL} h-24 text-gray-600`}>
                Waiting for the cluster status…
              </td>
            </tr>
          )}
          {ordered?.map((node) => (
            <NodeRow
              key={node.id}
              node={node}
              refreshMs={refreshMs}
              actions={
                actions && {
                  busy: actions.busyId === node.id,
                  onAction: actions.onAction,
                  onlyActive: node.state === 'ACTIVE' && activeCount === 1,
                }
              }
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
