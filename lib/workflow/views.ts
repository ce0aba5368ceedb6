/** What the workflow API answers: shared by the routes, the SWR hooks, the pages and the CLI. */
import type { TDb } from '@/lib/db/client';
import type { TRunStatus, TWorkflowInput } from '@/lib/workflow/schemas';

export type TWorkflowSummary = {
  name: string;
  version: number;
  description: string;
  inputs: TWorkflowInput[];
  elementCount: number;
  createdBy: string;
  createdAt: string;
};

export type TImportResult = { name: string; version: number; created: boolean };

export type TRunSummary = {
  id: string;
  workflowName: string;
  workflowVersion: number;
  status: TRunStatus;
  elementId: string;
  attempt: number;
  ownerNodeId: string | null;
  ownerNodeName: string | null;
  ownerEpoch: number | null;
  /** the node and epoch of the run's latest recorded step: the owner has gone once the run ends */
  lastNodeId: string | null;
  lastNodeName: string | null;
  lastEpoch: number | null;
  error: string | null;
  startedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** a run a schedule fired: the schedule and the slot (ISO) it fired for */
  scheduleId: string | null;
  scheduledFor: string | null;
};

export type TRunEventView = {
  id: number;
  at: string;
  kind: string;
  elementId: string | null;
  attempt: number | null;
  nodeId: string | null;
  nodeName: string | null;
  epoch: number | null;
  message: string | null;
  details: Record<string, unknown>;
};

/** One execution of an element: which node ran it, under which epoch, and until when. */
export type TTimelineEntry = {
  elementId: string;
  type: string | null;
  attempt: number;
  nodeId: string | null;
  nodeName: string | null;
  epoch: number | null;
  startedAt: string;
  /** when the next element started, the run ended, or (interrupted) it was resumed or handed over; null while it runs */
  endedAt: string | null;
  message: string | null;
};

export type TRunDetail = TRunSummary & {
  inputs: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** the latest events, oldest first */
  events: TRunEventView[];
  /** how many earlier events `events` leaves out (a very long run) */
  earlierEvents: number;
  timeline: TTimelineEntry[];
};

export type TRunLogEntryView = {
  id: number;
  at: string;
  level: string;
  message: string;
  elementId: string | null;
  nodeId: string | null;
  nodeName: string | null;
};

/** Node names by id (removed nodes included: their history is still worth reading). */
export async function nodeNames(db: TDb, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const nodes = await db.clusterNode.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(nodes.map((node) => [node.id, node.name]));
}

export type TRunRow = {
  id: string;
  workflowName: string;
  workflowVersion: number;
  status: string;
  elementId: string;
  attempt: number;
  ownerNode: string | null;
  ownerEpoch: bigint | null;
  error: string | null;
  startedBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  scheduleId?: string | null;
  scheduledFor?: Date | null;
};

export type TLastExecutor = { nodeId: string; epoch: number | null };

export function toRunSummary(row: TRunRow, names: Map<string, string>, last?: TLastExecutor): TRunSummary {
  return {
    id: row.id,
    workflowName: row.workflowName,
    workflowVersion: row.workflowVersion,
    status: row.status as TRunStatus,
    elementId: row.elementId,
    attempt: row.attempt,
    ownerNodeId: row.ownerNode,
    ownerNodeName: row.ownerNode ? (names.get(row.ownerNode) ?? null) : null,
    ownerEpoch: row.ownerEpoch === null ? null : Number(row.ownerEpoch),
    lastNodeId: last?.nodeId ?? null,
    lastNodeName: last ? (names.get(last.nodeId) ?? null) : null,
    lastEpoch: last?.epoch ?? null,
    error: row.error,
    startedBy: row.startedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    scheduleId: row.scheduleId ?? null,
    scheduledFor: row.scheduledFor?.toISOString() ?? null,
  };
}
