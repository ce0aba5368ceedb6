/**
 * Drives a "push configuration and reset nodes" on the node that took the request: restarts the
 * nodes one at a time in the planned order, waits for each to come back in sync before the next
 * goes down, and restarts an active node only while another node is active — when no other node
 * is, it first adds one active slot for the duration of the rollout, and puts the number back at
 * the end. Every step is recorded in config_rollout, so every page shows the progress and the
 * coordinator carries on after its own restart.
 */
import type { TDb } from '@/lib/db/client';
import { requestNodeRestart } from '@/lib/cluster/request-restart';
import { SETTINGS_LIMITS } from '@/lib/cluster/settings';
import { updateSettings } from '@/lib/cluster/update-settings';
import type { TRolloutStep } from '@/lib/config/plan-rollout';
import { isLive, readRolloutFacts, type TRolloutFacts, type TRolloutMember } from '@/lib/config/rollout-facts';
import { recordRestoreFailure } from '@/lib/config/settle-rollouts';

export type TRolloutDriver = {
  db: TDb;
  nodeId: string;
  /** ends this process cleanly; its supervisor starts it again */
  requestRestart(reason: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  timeouts?: Partial<typeof DEFAULT_TIMEOUTS>;
  /** deadlines are measured on a monotonic clock: a wall clock stepped by months moves none of them */
  monotonicMs?: () => number;
};

const DEFAULT_TIMEOUTS = { restartMs: 180_000, pollMs: 500 };

class StepFailed extends Error {}

export async function driveRollout(driver: TRolloutDriver, rolloutId: number): Promise<void> {
  const { db, nodeId } = driver;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...driver.timeouts };
  const monotonicMs = driver.monotonicMs ?? (() => performance.now());
  const rollout = await db.configRollout.findUnique({ where: { id: rolloutId } });
  if (!rollout || rollout.status !== 'RUNNING' || rollout.coordinatorNode !== nodeId) return;
  const actor = `rolling reset #${rollout.id} (${rollout.startedBy})`;
  const steps = rollout.steps as TRolloutStep[];
  let restoreActiveNodeCount = rollout.restoreActiveNodeCount;
  const save = (data: { status?: string; message?: string; finishedAt?: Date } = {}) =>
    db.configRollout.update({ where: { id: rolloutId }, data: { steps, restoreActiveNodeCount, updatedAt: new Date(), ...data } });

  /** Polls the cluster until CONDITION holds; throws with MESSAGE at the deadline. */
  const waitFor = async (condition: (facts: TRolloutFacts) => boolean, withinMs: number, message: string): Promise<TRolloutFacts> => {
    const deadline = monotonicMs() + withinMs;
    for (;;) {
      const facts = await readRolloutFacts(db);
      if (condition(facts)) return facts;
      if (monotonicMs() > deadline) throw new StepFailed(message);
      await new Promise((resolve) => setTimeout(resolve, timeouts.pollMs));
    }
  };
  const member = (facts: TRolloutFacts, id: string) => facts.members.find((candidate) => candidate.id === id);
  const inSync = (facts: TRolloutFacts, candidate: TRolloutMember | undefined) =>
    !!candidate && isLive(candidate) && candidate.restartedSinceRequest && candidate.activeFingerprint === facts.reference?.fingerprint;

  /** Before an active node goes down: another node must be active, adding a slot for a while if need be. */
  const keepAnotherActive = async (facts: TRolloutFacts, target: TRolloutMember): Promise<void> => {
    const othersActive = (current: TRolloutFacts) => current.members.some((other) => other.id !== target.id && other.state === 'ACTIVE');
    if (othersActive(facts)) return;
    if (!facts.members.some((other) => other.id !== target.id && other.state === 'STANDBY')) {
      if (facts.members.filter(isLive).length === 1) return; // a cluster of one: nobody to keep active
      throw new StepFailed(`no standby node can take over while ${target.name} restarts`);
    }
    if (restoreActiveNodeCount === null) {
      if (facts.activeNodeCount >= SETTINGS_LIMITS.activeNodeCount.max) throw new StepFailed('no spare active slot to keep a node active');
      restoreActiveNodeCount = facts.activeNodeCount;
      await save();
      await updateSettings(db, { version: facts.settingsVersion, activeNodeCount: facts.activeNodeCount + 1 }, actor);
      driver.log('info', `rolling reset: one more active slot while ${target.name} restarts`);
    }
    await waitFor(othersActive, 2 * facts.windowMs + 10_000, `no other node became active while ${target.name} was to restart`);
  };

  const restoreActiveSlots = async (): Promise<void> => {
    if (restoreActiveNodeCount === null) return;
    const restore = restoreActiveNodeCount;
    // let the restarted node take its slot back first, so that putting the number back leaves no gap
    const facts = await waitFor(
      (current) => current.members.filter((other) => other.state === 'ACTIVE').length > restore,
      30_000,
      'the restarted node did not become active again',
    ).catch(() => readRolloutFacts(db));
    await updateSettings(db, { version: facts.settingsVersion, activeNodeCount: restore }, actor);
    restoreActiveNodeCount = null;
    await save();
    // the node in the extra slot gives it back at its next heartbeat: done once it has
    await waitFor(
      (current) => current.members.filter((other) => other.state === 'ACTIVE').length <= restore,
      2 * facts.windowMs + 5_000,
      'the extra active slot was not given back',
    ).catch(() => undefined);
  };

  let current: TRolloutStep | undefined;
  try {
    for (const step of steps) {
      current = step;
      if (step.status === 'IN_SYNC' || step.status === 'SKIPPED') continue;
      let facts = await readRolloutFacts(db);
      const reference = facts.reference!;
      let target = member(facts, step.nodeId);
      if (step.status !== 'RESTARTING') {
        if (!target || !isLive(target)) {
          Object.assign(step, { status: 'SKIPPED', message: 'not responding' });
          await save();
          continue;
        }
        if (inSync(facts, target) && !step.restartAlways) {
          step.status = 'IN_SYNC';
          await save();
          continue;
        }
        // the node writes a pushed version within one heartbeat; it must have it before it restarts
        facts = await waitFor(
          (now) => member(now, step.nodeId)?.pendingFingerprint === reference.fingerprint,
          Math.max(10_000, 3 * facts.windowMs),
          `${step.name} did not write configuration version ${reference.version} into its data directory`,
        );
        target = member(facts, step.nodeId)!;
        if (target.state === 'ACTIVE') await keepAnotherActive(facts, target);
        step.status = 'RESTARTING';
        await save();
        await requestNodeRestart(db, step.nodeId, actor, `rolling reset to configuration version ${reference.version}`);
        if (step.nodeId === nodeId) {
          // this process goes down now; after the restart, resumeRollouts carries on from here
          driver.requestRestart(`rolling reset #${rolloutId}`);
          return;
        }
      }
      await waitFor(
        (now) => inSync(now, member(now, step.nodeId)),
        timeouts.restartMs,
        `${step.name} did not come back in sync within ${Math.round(timeouts.restartMs / 1000)} s`,
      );
      Object.assign(step, { status: 'IN_SYNC', message: undefined });
      await save();
      driver.log('info', `rolling reset: ${step.name} is back in sync`);
    }
    await restoreActiveSlots();
    await save({ status: 'COMPLETED', finishedAt: new Date() });
    await db.clusterEvent.create({ data: { kind: 'ROLLOUT_COMPLETED', nodeId, actor: rollout.startedBy, details: { rollout: rolloutId, version: rollout.version } } });
  } catch (error) {
    const message = error instanceof StepFailed ? error.message : `stopped: ${error instanceof Error ? error.message : String(error)}`;
    driver.log('error', `rolling reset #${rolloutId} failed: ${message}`);
    if (current) Object.assign(current, { status: 'FAILED', message });
    // a restore that fails stays owed (restoreActiveNodeCount is saved with the failure): the
    // settle loop of every node tries it again (lib/config/settle-rollouts.ts)
    const restoreFailure = await restoreActiveSlots().then(() => null, (failure: unknown) => failure ?? new Error('unknown error'));
    await save({ status: 'FAILED', message, finishedAt: new Date() })
      .then(() => db.clusterEvent.create({ data: { kind: 'ROLLOUT_FAILED', nodeId, actor: rollout.startedBy, details: { rollout: rolloutId, message } } }))
      .catch((failure) => driver.log('error', `could not record the failure of rolling reset #${rolloutId}: ${String(failure)}`));
    if (restoreFailure !== null && restoreActiveNodeCount !== null) {
      await recordRestoreFailure(db, rolloutId, restoreActiveNodeCount, restoreFailure, driver.log).catch((failure) =>
        driver.log('error', `rolling reset #${rolloutId}: the active node count could not be put back to ${restoreActiveNodeCount}, nor could that be recorded (${String(failure)})`),
      );
    }
  }
}

/** The rollouts this node coordinates and has not finished (after its own restart, typically). */
export async function unfinishedRollouts(db: TDb, nodeId: string): Promise<number[]> {
  const rows = await db.configRollout.findMany({ where: { status: 'RUNNING', coordinatorNode: nodeId }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((row) => row.id);
}
