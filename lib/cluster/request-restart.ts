import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readMemberNow } from '@/lib/cluster/locked-cluster';
import { stateAllows } from '@/lib/cluster/node-actions';

/**
 * Asks a node to restart: the node's next heartbeat answers that a restart was requested after
 * its process started, and it restarts cleanly through its supervisor (an active node hands its
 * slot back first). A node that is not responding cannot be asked. One statement.
 */
export async function requestNodeRestart(
  db: TDb,
  nodeId: string,
  actor: string,
  reason = 'requested by an operator',
): Promise<{ requested: true }> {
  const { member } = await readMemberNow(db, nodeId);
  if (!member || member.removed) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  if (!stateAllows('restart', member))
    throw new AppError('CONFLICT', `${member.name} is not responding; it cannot be asked to restart`);
  const [row] = await db.$queryRaw<{ requested: boolean }[]>`
    WITH requested AS (
      UPDATE cluster_node SET restart_requested_at = now() WHERE id = ${nodeId}::uuid AND removed_at IS NULL RETURNING id
    ),
    recorded AS (INSERT INTO cluster_event (kind, node_id, actor, details) SELECT 'RESTART_REQUESTED', id, ${actor}, ${JSON.stringify({ reason })}::jsonb FROM requested)
    SELECT EXISTS (SELECT 1 FROM requested) AS requested`;
  if (!row?.requested) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  return { requested: true as const };
}
