/**
 * Runs, newest first, filtered by status, workflow, schedule and a node that owns or executed
 * them, a page at a time: `before` is the last run of the previous page (a cursor, so that a page
 * costs the same however deep it is, and runs started meanwhile do not shift it).
 *
 * The page comes from one statement: a keyset query, (created_at, id) < the cursor's, which the
 * index on (created_at, id) answers by reading about one page of rows (or the status and workflow
 * indexes, for rare values), joined to what a summary shows. The node filter is two such queries, merged: the runs the node owns now (few: the running
 * ones), and the runs it executed (an event of the node), which PostgreSQL answers from the node's
 * events when it executed few runs and run by run when it executed most of them.
 */
import { Prisma } from '@/lib/generated/prisma/client';
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import type { TRunQuery } from '@/lib/workflow/schemas';
import { toRunSummary, type TRunRow, type TRunSummary } from '@/lib/workflow/views';

type TPageRow = TRunRow & {
  ownerName: string | null;
  lastNodeId: string | null;
  lastEpoch: bigint | null;
  lastNodeName: string | null;
};

async function cursorOf(db: TDb, before: string | undefined): Promise<Prisma.Sql | null> {
  if (!before) return null;
  const cursor = await db.workflowRun.findUnique({ where: { id: before }, select: { createdAt: true } });
  if (!cursor) throw new AppError('VALIDATION', `before: no run has the id ${before}`, { field: 'before' });
  const createdAt = cursor.createdAt.toISOString();
  // the first condition bounds the index scan; the row comparison breaks ties on the id
  return Prisma.sql`created_at <= ${createdAt}::timestamptz AND (created_at, id) < (${createdAt}::timestamptz, ${before}::uuid)`;
}

async function pageRows(db: TDb, query: TRunQuery): Promise<TPageRow[]> {
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
  const page = query.node
    ? Prisma.sql`
        SELECT id FROM (
          (SELECT id, created_at FROM workflow_run ${where([Prisma.sql`owner_node = ${query.node}::uuid`])} ${order})
          UNION
          (SELECT id, created_at FROM workflow_run r
             ${where([Prisma.sql`EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.node_id = ${query.node}::uuid AND e.run_id = r.id)`])}
             ${order})
        ) matched ${order}`
    : Prisma.sql`SELECT id FROM workflow_run ${where([])} ${order}`;
  // the page's runs with their owner's name and their last executor (the node of the latest event
  // that names one, read backwards through (run_id, id): one row even for a run of 10,000 elements)
  return db.$queryRaw<TPageRow[]>`
    WITH page AS (${page})
    SELECT r.id, r.workflow_name AS "workflowName", r.workflow_version AS "workflowVersion", r.status, r.element_id AS "elementId",
           r.attempt, r.owner_node AS "ownerNode", r.owner_epoch AS "ownerEpoch", r.error, r.started_by AS "startedBy",
           r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.finished_at AS "finishedAt",
           r.schedule_id AS "scheduleId", r.scheduled_for AS "scheduledFor", owner.name AS "ownerName",
           last.node_id AS "lastNodeId", last.epoch AS "lastEpoch", executor.name AS "lastNodeName"
      FROM page JOIN workflow_run r ON r.id = page.id
      LEFT JOIN cluster_node owner ON owner.id = r.owner_node
      LEFT JOIN LATERAL (
        SELECT node_id, epoch FROM workflow_run_event e WHERE e.run_id = r.id AND e.node_id IS NOT NULL ORDER BY e.id DESC LIMIT 1
      ) last ON true
      LEFT JOIN cluster_node executor ON executor.id = last.node_id
     ORDER BY r.created_at DESC, r.id DESC`;
}

export async function listRuns(db: TDb, query: TRunQuery): Promise<TRunSummary[]> {
  const rows = await pageRows(db, query);
  return rows.map((row) => {
    const names = new Map<string, string>();
    if (row.ownerNode && row.ownerName !== null) names.set(row.ownerNode, row.ownerName);
    if (row.lastNodeId && row.lastNodeName !== null) names.set(row.lastNodeId, row.lastNodeName);
    const last = row.lastNodeId
      ? { nodeId: row.lastNodeId, epoch: row.lastEpoch === null ? null : Number(row.lastEpoch) }
      : undefined;
    return toRunSummary(row, names, last);
  });
}
