/**
 * Cancels a run that has not finished: it ends at once and its locks are freed, in one
 * transaction. The node executing it notices at its next checkpoint (which then changes nothing)
 * or within a claim tick, and drops it.
 */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { getRun } from '@/lib/workflow/get-run';
import type { TRunDetail } from '@/lib/workflow/views';

export async function cancelRun(db: TDb, id: string, actor: string): Promise<TRunDetail> {
  await db.$transaction(async (tx) => {
    // the update locks the run row first: a runner's lock statement waits on it, then sees CANCELLED
    const changed = await tx.workflowRun.updateMany({
      where: { id, status: { in: ['PENDING', 'RUNNING', 'WAITING'] } },
      data: { status: 'CANCELLED', finishedAt: new Date(), ownerNode: null, ownerEpoch: null, updatedAt: new Date() },
    });
    if (changed.count === 0) {
      const run = await tx.workflowRun.findUnique({ where: { id }, select: { status: true } });
      if (!run) throw new AppError('NOT_FOUND', `no run has the id ${id}`);
      throw new AppError('CONFLICT', `the run is ${run.status} already`);
    }
    await tx.workflowLock.deleteMany({ where: { runId: id } });
    await tx.workflowRunEvent.create({ data: { runId: id, kind: 'CANCELLED', message: `cancelled by ${actor}` } });
  });
  return getRun(db, id);
}
