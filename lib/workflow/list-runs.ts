/** Runs, newest first, filtered by status, workflow and the node that owns them. */
import type { TDb } from '@/lib/db/client';
import type { TRunQuery } from '@/lib/workflow/schemas';
import { nodeNames, toRunSummary, type TRunSummary } from '@/lib/workflow/views';

export async function listRuns(db: TDb, query: TRunQuery): Promise<TRunSummary[]> {
  const rows = await db.workflowRun.findMany({
    where: { status: query.status, workflowName: query.workflow, ownerNode: query.node },
    orderBy: { createdAt: 'desc' },
    take: query.limit,
  });
  const names = await nodeNames(db, rows.map((row) => row.ownerNode));
  return rows.map((row) => toRunSummary(row, names));
}
