/**
 * Runs, newest first, filtered by status, workflow, schedule and a node that owns or executed
 * them, a page at a time: `before` is the last run of the previous page (a cursor, so that a page
 * costs the same however deep it is, and runs started meanwhile do not shift it).
 *
 * The page's ids come from one keyset query, (created_at, id) < the cursor's, which the indexes
 * on created_at (alone, or after status or workflow name) answer by reading about one page of
 * rows. The node filter is two such queries, merged: the runs the node owns now (few: the running
 * ones), and the runs it executed (an event of the node), which PostgreSQL answers from the node's
 * events when it executed few runs and run by run when it executed most of them.
 */
import { Prisma } from '@/lib/generated/prisma/client';
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import type { TRunQuery } from '@/lib/workflow/schemas';
import { lastExecutors, nodeNames, toRunSummary, type TRunSummary } from '@/lib/workflow/views';

async function cursorOf(db: TDb, before: string | undefined): Promise<Prisma.Sql | null> {
  if (!before) return null;
  const cursor = await db.workflowRun.findUnique({ where: { id: before }, select: { createdAt: true } });
  if (!cursor) throw new AppError('VALIDATION', `before: no run has the id ${before}`, { field: 'before' });
  const createdAt = cursor.createdAt.toISOString();
  // the first condition bounds the index scan; the row comparison breaks ties on the id
  return Prisma.sql`created_at <= ${createdAt}::timestamptz AND (created_at, id) < (${createdAt}::timestamptz, ${before}::uuid)`;
}

async function pageIds(db: TDb, query: TRunQuery): Promise<string[]> {
  const conditions: Prisma.Sql[] = [];
  if (query.status) conditions.push(Prisma.sql`status = ${query.status}`);
  if (query.workflow) conditions.push(Prisma.sql`workflow_name = ${query.workflow}`);
  if (query.schedule) conditions.push(Prisma.sql`schedule_id = ${query.schedule}::uuid`);
  const cursor = await cursorOf(db, query.before);
  if (cursor) conditions.push(cursor);
  const where = (extra: Prisma.Sql[]) => {
    const all = [...conditions, ...extra];
    return all.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(all, ' AND ')}`;
  };
  const order = Prisma.sql`ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`;
  const rows = query.node
    ? await db.$queryRaw<{ id: string }[]>`
        SELECT id FROM (
          (SELECT id, created_at FROM workflow_run ${where([Prisma.sql`owner_node = ${query.node}::uuid`])} ${order})
          UNION
          (SELECT id, created_at FROM workflow_run r
             ${where([Prisma.sql`EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.node_id = ${query.node}::uuid AND e.run_id = r.id)`])}
             ${order})
        ) page ${order}`
    : await db.$queryRaw<{ id: string }[]>`SELECT id FROM workflow_run ${where([])} ${order}`;
  return rows.map((row) => row.id);
}

export async function listRuns(db: TDb, query: TRunQuery): Promise<TRunSummary[]> {
  const ids = await pageIds(db, query);
  if (ids.length === 0) return [];
  const found = await db.workflowRun.findMany({ where: { id: { in: ids } } });
  const byId = new Map(found.map((row) => [row.id, row]));
  // a run pruned between the two reads is left out
  const rows = ids.flatMap((id) => byId.get(id) ?? []);
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
