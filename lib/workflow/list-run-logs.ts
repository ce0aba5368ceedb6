/**
 * The server log of a run, oldest first (it is in the database: the same on every node): its
 * latest RUN_PAGE_LOG_LINES lines, so that a long run's page shows where it is now, not its first hours.
 */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { RUN_PAGE_LOG_LINES } from '@/lib/workflow/limits';
import { nodeNames, type TRunLogEntryView } from '@/lib/workflow/views';

const MAX_ENTRIES = RUN_PAGE_LOG_LINES;

export async function listRunLogs(db: TDb, runId: string): Promise<TRunLogEntryView[]> {
  const run = await db.workflowRun.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new AppError('NOT_FOUND', `no run has the id ${runId}`);
  // Read backwards through the (run_id, id) index. With "run_id = X ORDER BY id DESC", PostgreSQL
  // knows a long run has many lines and may walk the whole table's primary key backwards instead,
  // expecting to meet them soon: for a run older than most of the table that reads every line of
  // every later run. Compared as an array, the run stays part of the order, which only that index gives.
  const newestFirst = await db.$queryRaw<
    { id: bigint; at: Date; level: string; message: string; elementId: string | null; nodeId: string | null }[]
  >`
    SELECT id, at, level, message, element_id AS "elementId", node_id AS "nodeId"
      FROM workflow_log_entry WHERE run_id = ANY(${[runId]}::uuid[]) ORDER BY run_id DESC, id DESC LIMIT ${MAX_ENTRIES}`;
  const rows = newestFirst.reverse();
  const names = await nodeNames(
    db,
    rows.map((row) => row.nodeId),
  );
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at.toISOString(),
    level: row.level,
    message: row.message,
    elementId: row.elementId,
    nodeId: row.nodeId,
    nodeName: row.nodeId ? (names.get(row.nodeId) ?? null) : null,
  }));
}
