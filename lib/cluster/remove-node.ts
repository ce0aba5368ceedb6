import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { lockCluster, readMember } from '@/lib/cluster/locked-cluster';
import { deriveMemberState } from '@/lib/cluster/node-state';

/**
 * Removes a node that is NOT RESPONDING. Its row stays as a tombstone, so that a process still
 * carrying that id is refused when it comes back (until it joins again).
 */
export async function removeNode(db: TDb, nodeId: string, actor: string): Promise<{ removed: string }> {
  return db.$transaction(async (tx) => {
    const cluster = await lockCluster(tx);
    const member = await readMember(tx, nodeId);
    if (!member || member.removed) throw new AppError('NOT_FOUND', 'no such node in this cluster');
    const state = deriveMemberState(
      { removed: false, maintenance: member.maintenance, heartbeatAgeMs: member.age_ms, holdsValidLease: member.holds_lease },
      cluster.liveness,
    );
    if (state !== 'NOT_RESPONDING') {
      throw new AppError(
        'CONFLICT',
        `${member.name} is ${state} (last heartbeat ${Math.round(member.age_ms)} ms ago); only a node that is not responding can be removed`,
      );
    }
    await tx.$executeRaw`UPDATE cluster_node SET removed_at = now(), removed_by = ${actor} WHERE id = ${nodeId}::uuid`;
    await tx.$executeRaw`UPDATE active_slot SET node_id = NULL WHERE node_id = ${nodeId}::uuid AND lease_until <= now()`;
    await tx.clusterEvent.create({ data: { kind: 'REMOVED', nodeId, actor, details: { name: member.name } } });
    return { removed: nodeId };
  });
}
