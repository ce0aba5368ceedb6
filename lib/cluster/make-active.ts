import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readMemberNow } from '@/lib/cluster/locked-cluster';
import { stateAllows } from '@/lib/cluster/node-actions';
import { freezePoint } from '@/lib/cluster/test-freeze';

/**
 * Hands the active role to a chosen standby. The slot is reserved for it; the node holding that
 * slot releases it at its next heartbeat, and only the chosen node may claim it until one window
 * has passed. (A direct reassignment would leave the old holder believing itself active until
 * its next renewal failed.) The reservation is one statement (orch_request_handover), which
 * checks again that the node is a live standby.
 */
export async function makeActive(db: TDb, nodeId: string, actor: string): Promise<{ slot: number }> {
  const { cluster, member } = await readMemberNow(db, nodeId);
  if (!member) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  if (!stateAllows('activate', member))
    throw new AppError('CONFLICT', `only a standby node can be made active; ${member.name} is ${member.state}`);
  const pending = db.$queryRaw<{ answer: { slot?: number; refused?: string } }[]>`
    SELECT orch_request_handover(${nodeId}::uuid, ${actor}, ${cluster.liveness.lateAfterMs}::float8) AS answer`.then(
    (rows) => rows,
  );
  await freezePoint('make-active', pending);
  const [{ answer }] = await pending;
  if (answer.refused === 'NOT_FOUND') throw new AppError('NOT_FOUND', 'no such node in this cluster');
  if (answer.slot === undefined)
    throw new AppError('CONFLICT', `${member.name} stopped being a standby meanwhile; look at the cluster again`);
  return { slot: answer.slot };
}
