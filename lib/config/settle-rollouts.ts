/**
 * A rolling reset whose coordinating node went silent goes no further (only the coordinator
 * drives it): it is marked FAILED, and the extra active slot it may have added is given back.
 * Run with the cluster row locked: by a push with reset, and every few seconds by every node.
 */
import type { TTx } from '@/lib/db/client';
import { lockCluster } from '@/lib/cluster/locked-cluster';
import { updateSettingsIn } from '@/lib/cluster/update-settings';
import { coordinatorGone, readRolloutFacts } from '@/lib/config/rollout-facts';

/** The ids of the rollouts still running under a live coordinator. */
export async function settleStalledRollouts(tx: TTx): Promise<number[]> {
  const running = await tx.configRollout.findMany({ where: { status: 'RUNNING' }, orderBy: { id: 'asc' } });
  if (running.length === 0) return [];
  const { members, windowMs } = await readRolloutFacts(tx);
  const alive: number[] = [];
  for (const rollout of running) {
    const coordinator = members.find((member) => member.id === rollout.coordinatorNode);
    if (!coordinatorGone(coordinator?.heartbeatAgeMs, windowMs)) {
      alive.push(rollout.id);
      continue;
    }
    const message = `its coordinating node ${coordinator?.name ?? rollout.coordinatorNode} stopped responding`;
    await tx.configRollout.update({ where: { id: rollout.id }, data: { status: 'FAILED', message, finishedAt: new Date(), updatedAt: new Date() } });
    await tx.clusterEvent.create({ data: { kind: 'ROLLOUT_FAILED', nodeId: rollout.coordinatorNode, actor: rollout.startedBy, details: { rollout: rollout.id, message } } });
    if (rollout.restoreActiveNodeCount !== null) {
      const cluster = await lockCluster(tx);
      await updateSettingsIn(tx, { version: cluster.settingsVersion, activeNodeCount: rollout.restoreActiveNodeCount }, `rolling reset #${rollout.id} (given up)`);
    }
  }
  return alive;
}
