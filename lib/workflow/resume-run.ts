/**
 * Resumes a run that failed and waits for an operator (status WAITING): the given variables are
 * set, and the run goes back to PENDING at the element that failed, owned by nobody, so an
 * active node claims it and starts that element again as its next attempt. The elements it
 * completed before are behind its checkpoint and never run again. The request is audited by the
 * API wrapper, and the run's events record who resumed it and which variables changed (names
 * only: a value may be sensitive).
 */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { getRun } from '@/lib/workflow/get-run';
import { byteLength, describeBytes, MAX_VARIABLES_BYTES } from '@/lib/workflow/limits';
import type { TRunResume } from '@/lib/workflow/schemas';
import type { TRunDetail } from '@/lib/workflow/views';

export async function resumeRun(db: TDb, id: string, body: TRunResume, actor: string): Promise<TRunDetail> {
  await db.$transaction(async (tx) => {
    const run = await tx.workflowRun.findUnique({ where: { id }, select: { status: true, variables: true, elementId: true } });
    if (!run) throw new AppError('NOT_FOUND', `no run has the id ${id}`);
    if (run.status !== 'WAITING')
      throw new AppError(
        'CONFLICT',
        `the run is ${run.status}; only a run that failed and waits for an operator (WAITING) can be resumed`,
      );
    const variables = { ...(run.variables as Record<string, unknown>), ...body.variables };
    const json = JSON.stringify(variables);
    if (json.includes('\\u0000'))
      throw new AppError('VALIDATION', 'variables must not contain the character U+0000', { field: 'variables' });
    const bytes = byteLength(json);
    if (bytes > MAX_VARIABLES_BYTES)
      throw new AppError(
        'VALIDATION',
        `the run's variables would be ${bytes} bytes as JSON; they are at most ${describeBytes(MAX_VARIABLES_BYTES)}`,
        { field: 'variables' },
      );
    // only a run still WAITING changes: a cancel or another resume in between wins
    const changed = await tx.workflowRun.updateMany({
      where: { id, status: 'WAITING' },
      data: {
        status: 'PENDING',
        variables: variables as object,
        error: null,
        retries: 0,
        ownerNode: null,
        ownerEpoch: null,
        updatedAt: new Date(),
      },
    });
    if (changed.count === 0) throw new AppError('CONFLICT', 'the run changed meanwhile; read it again');
    const names = Object.keys(body.variables).sort();
    await tx.workflowRunEvent.create({
      data: {
        runId: id,
        kind: 'RESUME_REQUESTED',
        elementId: run.elementId,
        message: `resumed by ${actor} at element ${run.elementId}${names.length > 0 ? `; variables set: ${names.join(', ')}` : ''}`,
        details: { actor, variablesSet: names },
      },
    });
  });
  return getRun(db, id);
}
