import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { lockCluster, readMember } from '@/lib/cluster/locked-cluster';
import { deriveMemberState } from '@/lib/cluster/node-state';

/**
 * Asks a node to restart: the node's next heartbeat answers that a restart was requested after
 * its process started, and it restarts cleanly through its supervisor (an active node hands its
 * slot back first). A node that is not responding cannot be asked.
 */
export async function requestNodeRestart(db: TDb, nodeId: string, actor: string, reason = 'requested by an operator'): Promise<{ requested: true }> {
  return db.$transaction(async (tx) => {
    const cluster = await lockCluster(tx);
    const member = await readMember(tx, nodeId);
    if (!member || member.removed) throw new AppError('NOT_FOUND', 'no such node in this cluster');
    const state = deriveMemberState(
      { removed: member.removed, maintenance: member.maintenance, heartbeatAgeMs: member.age_ms, holdsValidLease: member.holds_lease },
      cluster.liveness,
    );
    if (state === 'NOT_RESPONDING') throw new AppError('CONFLICT', `${member.name} is not responding; it cannot be asked to restart`);
    await tx.$executeRaw`UPDATE cluster_node SET restart_requested_at = now() WHERE id = ${nodeId}::uuid`;
    await tx.clusterEvent.create({ data: { kind: 'RESTART_REQUESTED', nodeId, actor, details: { reason } } });
    return { requested: true as const };
  });
}
