/**
 * A rolling reset whose coordinating node went silent goes no further (only the coordinator
 * drives it): it is marked FAILED, and the extra active slot it may have added is given back.
 * Run inside a transaction holding the configuration lock (lockConfiguration): by a push with
 * reset, and every few seconds by every node. The cluster row is not locked here: putting the
 * active count back is a settings change of its own, made after the transaction commits
 * (restoreActiveSlots), one statement like every settings change.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { readCluster } from '@/lib/cluster/locked-cluster';
import { updateSettings } from '@/lib/cluster/update-settings';
import { coordinatorGone, readRolloutFacts } from '@/lib/config/rollout-facts';

export type TSettledRollouts = {
  /** the ids of the rollouts still running under a live coordinator */
  alive: number[];
  /** active counts to put back, once the transaction has committed */
  restores: { rolloutId: number; activeNodeCount: number }[];
};

// one key for "who changes the configuration or its rollouts": held inside short transactions only
const CONFIGURATION_LOCK = 0x6f7263; // 'orc'

/** Serializes pushes and rollout settling; waits (bounded by the session's lock_timeout). */
export async function lockConfiguration(tx: TTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CONFIGURATION_LOCK}::bigint)`;
}

/** The same lock, or false at once when another node holds it. */
export async function tryLockConfiguration(tx: TTx): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CONFIGURATION_LOCK}::bigint) AS locked`;
  return row?.locked === true;
}

export async function settleStalledRollouts(tx: TTx): Promise<TSettledRollouts> {
  const running = await tx.configRollout.findMany({ where: { status: 'RUNNING' }, orderBy: { id: 'asc' } });
  if (running.length === 0) return { alive: [], restores: [] };
  const { members, windowMs } = await readRolloutFacts(tx);
  const settled: TSettledRollouts = { alive: [], restores: [] };
  for (const rollout of running) {
    const coordinator = members.find((member) => member.id === rollout.coordinatorNode);
    if (!coordinatorGone(coordinator?.heartbeatAgeMs, windowMs)) {
      settled.alive.push(rollout.id);
      continue;
    }
    const message = `its coordinating node ${coordinator?.name ?? rollout.coordinatorNode} stopped responding`;
    await tx.configRollout.update({ where: { id: rollout.id }, data: { status: 'FAILED', message, finishedAt: new Date(), updatedAt: new Date() } });
    await tx.clusterEvent.create({ data: { kind: 'ROLLOUT_FAILED', nodeId: rollout.coordinatorNode, actor: rollout.startedBy, details: { rollout: rollout.id, message } } });
    if (rollout.restoreActiveNodeCount !== null) settled.restores.push({ rolloutId: rollout.id, activeNodeCount: rollout.restoreActiveNodeCount });
  }
  return settled;
}

/** Puts back the active counts of given-up rollouts (after their transaction committed). */
export async function restoreActiveSlots(db: TDb, restores: TSettledRollouts['restores']): Promise<void> {
  for (const { rolloutId, activeNodeCount } of restores) {
    const cluster = await readCluster(db);
    await updateSettings(db, { version: cluster.settingsVersion, activeNodeCount }, `rolling reset #${rolloutId} (given up)`);
  }
}
