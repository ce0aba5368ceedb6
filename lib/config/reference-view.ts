/** The reference configuration and the latest rolling reset, as the status API shows them. */
import type { TDb } from '@/lib/db/client';
import type { TRolloutStep } from '@/lib/config/plan-rollout';

export type TReferenceView = {
  version: number;
  fingerprint: string;
  pushedBy: string;
  pushedFromNode: string;
  pushedFromName: string;
  pushedAt: string;
};

export type TRolloutView = {
  id: number;
  version: number;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  startedBy: string;
  coordinatorNode: string;
  steps: TRolloutStep[];
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** running, but its coordinator stopped responding */
  stalled: boolean;
  /** still worth showing on the cluster page: running, or finished within the last few minutes */
  recent: boolean;
};

const RECENT_ROLLOUT_MS = 5 * 60_000;

export async function readReference(db: TDb): Promise<TReferenceView | null> {
  const row = await db.configVersion.findFirst({
    orderBy: { version: 'desc' },
    select: { version: true, fingerprint: true, pushedBy: true, pushedFromNode: true, pushedFromName: true, pushedAt: true },
  });
  return row && { ...row, pushedAt: row.pushedAt.toISOString() };
}

export async function readLatestRollout(db: TDb): Promise<TRolloutView | null> {
  const row = await db.configRollout.findFirst({ orderBy: { id: 'desc' } });
  if (!row) return null;
  return {
    id: row.id,
    version: row.version,
    status: row.status as TRolloutView['status'],
    startedBy: row.startedBy,
    coordinatorNode: row.coordinatorNode,
    steps: row.steps as TRolloutStep[],
    message: row.message,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    stalled: false,
    recent: row.status === 'RUNNING' || (row.finishedAt !== null && Date.now() - row.finishedAt.getTime() < RECENT_ROLLOUT_MS),
  };
}
