/**
 * Runs, newest first, filtered by status, workflow, schedule and a node that owns or executed
 * them, a page at a time: `before` is the last run of the previous page (a cursor, so that a page
 * costs the same however deep it is, and runs started meanwhile do not shift it).
 */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import type { TRunQuery } from '@/lib/workflow/schemas';
import { lastExecutors, nodeNames, toRunSummary, type TRunSummary } from '@/lib/workflow/views';

async function after(db: TDb, before: string | undefined) {
  if (!before) return {};
  const cursor = await db.workflowRun.findUnique({ where: { id: before }, select: { createdAt: true } });
  if (!cursor) throw new AppError('VALIDATION', `before: no run has the id ${before}`, { field: 'before' });
  return { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: before } }] };
}

export async function listRuns(db: TDb, query: TRunQuery): Promise<TRunSummary[]> {
  const rows = await db.workflowRun.findMany({
    where: {
      status: query.status,
      workflowName: query.workflow,
      scheduleId: query.schedule,
      AND: [
        query.node ? { OR: [{ ownerNode: query.node }, { events: { some: { nodeId: query.node } } }] } : {},
        await after(db, query.before),
      ],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit,
  });
  const last = await lastExecutors(
    db,
    rows.map((row) => row.id),
  );
  const names = await nodeNames(db, [
    ...rows.map((row) => row.ownerNode),
    ...[...last.values()].map((executor) => executor.nodeId),
  ]);
  return rows.map((row) => toRunSummary(row, names, last.get(row.id)));
}
