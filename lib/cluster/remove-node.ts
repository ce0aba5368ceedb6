import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readMemberNow } from '@/lib/cluster/locked-cluster';
import { stateAllows } from '@/lib/cluster/node-actions';

/**
 * Removes a node that is NOT RESPONDING. Its row stays as a tombstone, so that a process still
 * carrying that id is refused when it comes back (until it joins again). The write is one
 * statement that checks the silence again on the database clock.
 */
export async function removeNode(db: TDb, nodeId: string, actor: string): Promise<{ removed: string }> {
  const { cluster, member } = await readMemberNow(db, nodeId);
  if (!member || member.removed) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  const refuse = (now: string, ageMs: number) =>
    new AppError(
      'CONFLICT',
      `${member.name} is ${now} (last heartbeat ${Math.round(ageMs)} ms ago); only a node that is not responding can be removed`,
    );
  if (!stateAllows('remove', member)) throw refuse(member.state, member.age_ms);
  const silentFor = cluster.liveness.notRespondingAfterMs;
  const [row] = await db.$queryRaw<{ removed: boolean }[]>`
    WITH removed AS (
      UPDATE cluster_node SET removed_at = now(), removed_by = ${actor}
       WHERE id = ${nodeId}::uuid AND removed_at IS NULL
         AND last_heartbeat_at < now() - make_interval(secs => ${silentFor}::float8 / 1000.0)
      RETURNING id
    ),
    freed AS (UPDATE active_slot SET node_id = NULL WHERE node_id IN (SELECT id FROM removed) AND lease_until <= now()),
    recorded AS (INSERT INTO cluster_event (kind, node_id, actor, details) SELECT 'REMOVED', id, ${actor}, ${JSON.stringify({ name: member.name })}::jsonb FROM removed)
    SELECT EXISTS (SELECT 1 FROM removed) AS removed`;
  if (!row?.removed) throw refuse('responding again', 0);
  return { removed: nodeId };
}
