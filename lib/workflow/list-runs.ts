/** Runs, newest first, filtered by status, workflow, schedule and a node that owns or executed them. */
import type { TDb } from '@/lib/db/client';
import type { TRunQuery } from '@/lib/workflow/schemas';
import { lastExecutors, nodeNames, toRunSummary, type TRunSummary } from '@/lib/workflow/views';

export async function listRuns(db: TDb, query: TRunQuery): Promise<TRunSummary[]> {
  const rows = await db.workflowRun.findMany({
    where: {
      status: query.status,
      workflowName: query.workflow,
      scheduleId: query.schedule,
      ...(query.node ? { OR: [{ ownerNode: query.node }, { events: { some: { nodeId: query.node } } }] } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: query.limit,
  });
  const last = await lastExecutors(db, rows.map((row) => row.id));
  const names = await nodeNames(db, [...rows.map((row) => row.ownerNode), ...[...last.values()].map((executor) => executor.nodeId)]);
  return rows.map((row) => toRunSummary(row, names, last.get(row.id)));
}
