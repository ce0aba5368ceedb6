import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { lockCluster, readMember } from '@/lib/cluster/locked-cluster';

/**
 * Maintenance on: the node is never active; if it is, it hands its slot back at its next
 * heartbeat. Maintenance off: it stands by again.
 */
export async function setMaintenance(db: TDb, nodeId: string, enabled: boolean, actor: string): Promise<{ maintenance: boolean }> {
  return db.$transaction(async (tx) => {
    await lockCluster(tx);
    const member = await readMember(tx, nodeId);
    if (!member || member.removed) throw new AppError('NOT_FOUND', 'no such node in this cluster');
    if (member.maintenance !== enabled) {
      await tx.clusterNode.update({ where: { id: nodeId }, data: { maintenance: enabled } });
      await tx.clusterEvent.create({ data: { kind: enabled ? 'MAINTENANCE_ON' : 'MAINTENANCE_OFF', nodeId, actor } });
    }
    return { maintenance: enabled };
  });
}
