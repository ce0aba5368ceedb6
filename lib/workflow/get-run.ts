/** One run with its inputs, variables, events and the timeline of its elements (node and epoch of each). */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { RUN_PAGE_EVENTS } from '@/lib/workflow/limits';
import { nodeNames, toRunSummary, type TRunDetail, type TRunEventView, type TTimelineEntry } from '@/lib/workflow/views';

/**
 * A run's events are bounded by its length; the page shows the latest RUN_PAGE_EVENTS (a long
 * run's current progress, not its first hours) and says how many earlier ones it leaves out.
 */
const MAX_EVENTS = RUN_PAGE_EVENTS;

type TEventRow = {
  id: bigint;
  at: Date;
  kind: string;
  elementId: string | null;
  attempt: number | null;
  nodeId: string | null;
  epoch: bigint | null;
  message: string | null;
  details: unknown;
};

export async function getRun(db: TDb, id: string): Promise<TRunDetail> {
  const run = await db.workflowRun.findUnique({ where: { id } });
  if (!run) throw new AppError('NOT_FOUND', `no run has the id ${id}`);
  // through (run_id, id): see list-run-logs.ts for why the run is compared as an array
  const newestFirst = await db.$queryRaw<TEventRow[]>`
    SELECT id, at, kind, element_id AS "elementId", attempt, node_id AS "nodeId", epoch, message, details
      FROM workflow_run_event WHERE run_id = ANY(${[id]}::uuid[]) ORDER BY run_id DESC, id DESC LIMIT ${MAX_EVENTS}`;
  // only a run with more events than the page shows has earlier ones to count
  const total = newestFirst.length < MAX_EVENTS ? newestFirst.length : await db.workflowRunEvent.count({ where: { runId: id } });
  const rows = newestFirst.reverse();
  const names = await nodeNames(db, [run.ownerNode, ...rows.map((row) => row.nodeId)]);
  const events: TRunEventView[] = rows.map((row) => ({
    id: Number(row.id),
    at: row.at.toISOString(),
    kind: row.kind,
    elementId: row.elementId,
    attempt: row.attempt,
    nodeId: row.nodeId,
    nodeName: row.nodeId ? (names.get(row.nodeId) ?? null) : null,
    epoch: row.epoch === null ? null : Number(row.epoch),
    message: row.message,
    details: row.details as Record<string, unknown>,
  }));
  const last = [...rows].reverse().find((row) => row.nodeId !== null);
  return {
    ...toRunSummary(
      run,
      names,
      last ? { nodeId: last.nodeId!, epoch: last.epoch === null ? null : Number(last.epoch) } : undefined,
    ),
    inputs: run.inputs as Record<string, unknown>,
    variables: run.variables as Record<string, unknown>,
    events,
    earlierEvents: total - rows.length,
    timeline: timelineOf(events, run.finishedAt),
  };
}

/**
 * Each ELEMENT event starts an entry, which ends with the run's next event: the next element, the
 * run's end, or — for an interrupted element — its resumption or hand-over.
 */
export function timelineOf(events: TRunEventView[], finishedAt: Date | null): TTimelineEntry[] {
  const timeline: TTimelineEntry[] = [];
  for (const event of events) {
    const open = timeline.at(-1);
    if (open && open.endedAt === null) open.endedAt = event.at;
    if (event.kind !== 'ELEMENT') continue;
    timeline.push({
      elementId: event.elementId ?? '',
      type: typeof event.details.type === 'string' ? event.details.type : null,
      attempt: event.attempt ?? 1,
      nodeId: event.nodeId,
      nodeName: event.nodeName,
      epoch: event.epoch,
      startedAt: event.at,
      endedAt: null,
      message: event.message,
    });
  }
  const last = timeline.at(-1);
  if (last && last.endedAt === null && finishedAt) last.endedAt = finishedAt.toISOString();
  return timeline;
}
