import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { lockCluster, readMember } from '@/lib/cluster/locked-cluster';
import { deriveMemberState } from '@/lib/cluster/node-state';

/**
 * Hands the active role to a chosen standby. The slot is reserved for it; the node holding that
 * slot releases it at its next heartbeat, and only the chosen node may claim it until one window
 * has passed. (A direct reassignment would leave the old holder believing itself active until
 * its next renewal failed.)
 */
export async function makeActive(db: TDb, nodeId: string, actor: string): Promise<{ slot: number }> {
  return db.$transaction(async (tx) => {
    const cluster = await lockCluster(tx);
    const member = await readMember(tx, nodeId);
    if (!member) throw new AppError('NOT_FOUND', 'no such node in this cluster');
    const state = deriveMemberState(
      { removed: member.removed, maintenance: member.maintenance, heartbeatAgeMs: member.age_ms, holdsValidLease: member.holds_lease },
      cluster.liveness,
    );
    if (state !== 'STANDBY') throw new AppError('CONFLICT', `only a standby node can be made active; ${member.name} is ${state}`);
    // a free slot if there is one, else the highest slot an active node holds
    const [target] = await tx.$queryRaw<{ slot: number; node_id: string | null }[]>`
      SELECT slot, CASE WHEN lease_until > now() THEN node_id END AS node_id FROM active_slot
       WHERE slot < ${cluster.activeNodeCount}
       ORDER BY (node_id IS NULL OR lease_until <= now()) DESC, slot DESC LIMIT 1 FOR UPDATE`;
    await tx.$executeRaw`
      UPDATE active_slot SET handover_to = ${nodeId}::uuid, handover_until = now() + make_interval(secs => ${cluster.windowMs} / 1000.0)
       WHERE slot = ${target.slot}`;
    await tx.clusterEvent.create({
      data: { kind: 'HANDOVER_REQUESTED', nodeId, actor, details: { slot: target.slot, from: target.node_id } },
    });
    return { slot: target.slot };
  });
}
