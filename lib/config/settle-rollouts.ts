/**
 * A rolling reset whose coordinating node went silent goes no further (only the coordinator
 * drives it): it is marked FAILED, and the extra active slot it may have added is given back.
 * A failed rollout whose restore failed (recorded as ROLLOUT_RESTORE_FAILED) owes it: it is tried
 * again on each pass until it is done, or until the count is no longer the one the rollout raised.
 * Run inside a transaction holding the configuration lock (lockConfiguration): by a push with
 * reset, and every few seconds by every node. The cluster row is not locked here: putting the
 * active count back is a settings change of its own, made after the transaction commits
 * (restoreActiveSlots), one statement like every settings change.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { readCluster } from '@/lib/cluster/locked-cluster';
import { updateSettings } from '@/lib/cluster/update-settings';
import { coordinatorGone, readRolloutFacts } from '@/lib/config/rollout-facts';
import { logError, logInfo, logWarn } from '@/lib/node/log';

export type TSettledRollouts = {
  /** the ids of the rollouts still running under a live coordinator */
  alive: number[];
  /** active counts to put back, once the transaction has committed */
  /** `retry`: a restore that failed before, owed since */
  restores: { rolloutId: number; activeNodeCount: number; retry: boolean }[];
};

type TLog = (level: 'info' | 'warn' | 'error', message: string) => void;

const processLog: TLog = (level, message) => ({ info: logInfo, warn: logWarn, error: logError })[level]('rollout', message);

// one key for "who changes the configuration or its rollouts": held inside short transactions only
const CONFIGURATION_LOCK = 0x6f7263; // 'orc'

/** Serializes pushes and rollout settling; waits (bounded by the session's lock_timeout). */
export async function lockConfiguration(tx: TTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CONFIGURATION_LOCK}::bigint)`;
}

/** The same lock, or false at once when another node holds it. */
export async function tryLockConfiguration(tx: TTx): Promise<boolean> {
  const [row] = await tx.$queryRaw<
    { locked: boolean }[]
  >`SELECT pg_try_advisory_xact_lock(${CONFIGURATION_LOCK}::bigint) AS locked`;
  return row?.locked === true;
}

export async function settleStalledRollouts(tx: TTx): Promise<TSettledRollouts> {
  const running = await tx.configRollout.findMany({ where: { status: 'RUNNING' }, orderBy: { id: 'asc' } });
  const settled: TSettledRollouts = { alive: [], restores: [] };
  const { members, windowMs } = running.length > 0 ? await readRolloutFacts(tx) : { members: [], windowMs: 0 };
  for (const rollout of running) {
    const coordinator = members.find((member) => member.id === rollout.coordinatorNode);
    if (!coordinatorGone(coordinator?.heartbeatAgeMs, windowMs)) {
      settled.alive.push(rollout.id);
      continue;
    }
    const message = `its coordinating node ${coordinator?.name ?? rollout.coordinatorNode} stopped responding`;
    await tx.configRollout.update({
      where: { id: rollout.id },
      data: { status: 'FAILED', message, finishedAt: new Date(), updatedAt: new Date() },
    });
    await tx.clusterEvent.create({
      data: {
        kind: 'ROLLOUT_FAILED',
        nodeId: rollout.coordinatorNode,
        actor: rollout.startedBy,
        details: { rollout: rollout.id, message },
      },
    });
    if (rollout.restoreActiveNodeCount !== null)
      settled.restores.push({ rolloutId: rollout.id, activeNodeCount: rollout.restoreActiveNodeCount, retry: false });
  }
  settled.restores.push(...(await owedRestores(tx)));
  return settled;
}

/**
 * The restores that failed before and are still owed: failed rollouts that keep the count to put
 * back and whose failure to put it back was recorded (ROLLOUT_RESTORE_FAILED).
 */
export async function owedRestores(db: TDb | TTx): Promise<TSettledRollouts['restores']> {
  const failures = await db.clusterEvent.findMany({ where: { kind: 'ROLLOUT_RESTORE_FAILED' }, select: { details: true } });
  const ids = failures.flatMap(({ details }) => {
    const rollout = (details as { rollout?: unknown } | null)?.rollout;
    return typeof rollout === 'number' ? [rollout] : [];
  });
  if (ids.length === 0) return [];
  const rollouts = await db.configRollout.findMany({
    where: { id: { in: ids }, status: 'FAILED', restoreActiveNodeCount: { not: null } },
    orderBy: { id: 'asc' },
  });
  return rollouts.map((rollout) => ({ rolloutId: rollout.id, activeNodeCount: rollout.restoreActiveNodeCount!, retry: true }));
}

/** Whether the settle loop has anything to do: a rollout running, or a restore owed. */
export async function rolloutsToSettle(db: TDb): Promise<boolean> {
  return (await db.configRollout.count({ where: { status: 'RUNNING' } })) > 0 || (await owedRestores(db)).length > 0;
}

/**
 * Puts back the active counts of failed rollouts (after their transaction committed). A restore
 * that fails is not thrown: it is logged, written into the rollout's message and recorded as a
 * ROLLOUT_RESTORE_FAILED event (once per rollout), and stays owed for the next pass. A retry puts
 * the count back only while it is still the one the rollout raised (one more): a count changed
 * since is the operator's.
 */
export async function restoreActiveSlots(db: TDb, restores: TSettledRollouts['restores'], log: TLog = processLog): Promise<void> {
  for (const { rolloutId, activeNodeCount, retry } of restores) {
    try {
      const cluster = await readCluster(db);
      if (!retry || cluster.activeNodeCount === activeNodeCount + 1) {
        await updateSettings(db, { version: cluster.settingsVersion, activeNodeCount }, `rolling reset #${rolloutId} (given up)`);
        if (retry) log('info', `rolling reset #${rolloutId}: the active node count is back to ${activeNodeCount}`);
      }
      // nothing is owed any more
      await db.configRollout.updateMany({
        where: { id: rolloutId, status: 'FAILED', restoreActiveNodeCount: activeNodeCount },
        data: { restoreActiveNodeCount: null },
      });
    } catch (error) {
      await recordRestoreFailure(db, rolloutId, activeNodeCount, error, log).catch((failure) =>
        log(
          'error',
          `rolling reset #${rolloutId}: could not record that the active node count was not put back (${String(failure)})`,
        ),
      );
    }
  }
}

/**
 * The cluster is left with one more active node than its settings asked for before the rollout:
 * said in the log, in the rollout's message (the page shows it) and as a cluster event, the first
 * time for a rollout; the settle loop tries again.
 */
export async function recordRestoreFailure(
  db: TDb,
  rolloutId: number,
  activeNodeCount: number,
  error: unknown,
  log: TLog,
): Promise<void> {
  // one line: a database error's message spans several
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  const note = `the active node count could not be put back to ${activeNodeCount} (${reason}); the cluster keeps one more active node until it is, tried again every few seconds`;
  const recorded = await db.clusterEvent.findFirst({
    where: { kind: 'ROLLOUT_RESTORE_FAILED', details: { path: ['rollout'], equals: rolloutId } },
    select: { id: true },
  });
  if (recorded) return;
  log('error', `rolling reset #${rolloutId}: ${note}`);
  await db.$transaction(async (tx) => {
    const rollout = await tx.configRollout.findUnique({
      where: { id: rolloutId },
      select: { message: true, startedBy: true, coordinatorNode: true },
    });
    if (!rollout) return;
    await tx.configRollout.update({
      where: { id: rolloutId },
      data: { message: rollout.message ? `${rollout.message}; ${note}` : note, updatedAt: new Date() },
    });
    await tx.clusterEvent.create({
      data: {
        kind: 'ROLLOUT_RESTORE_FAILED',
        nodeId: rollout.coordinatorNode,
        actor: rollout.startedBy,
        details: { rollout: rolloutId, activeNodeCount, message: note },
      },
    });
  });
}
