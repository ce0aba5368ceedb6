import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';

/**
 * Maintenance on: the node is never active; if it is, it hands its slot back at its next
 * heartbeat. Maintenance off: it stands by again. One statement: the flag and its event.
 */
export async function setMaintenance(
  db: TDb,
  nodeId: string,
  enabled: boolean,
  actor: string,
): Promise<{ maintenance: boolean }> {
  const [row] = await db.$queryRaw<{ member: boolean }[]>`
    WITH changed AS (
      UPDATE cluster_node SET maintenance = ${enabled}
       WHERE id = ${nodeId}::uuid AND removed_at IS NULL AND maintenance <> ${enabled}
      RETURNING id
    ),
    recorded AS (
      INSERT INTO cluster_event (kind, node_id, actor)
      SELECT ${enabled ? 'MAINTENANCE_ON' : 'MAINTENANCE_OFF'}, id, ${actor} FROM changed
    )
    SELECT EXISTS (SELECT 1 FROM cluster_node WHERE id = ${nodeId}::uuid AND removed_at IS NULL) AS member`;
  if (!row?.member) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  return { maintenance: enabled };
}
