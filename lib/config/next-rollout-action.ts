/**
 * What a rolling reset does next, decided from what the database answered (the rollout's
 * progress and the cluster's facts) and the time on a monotonic clock: a pure function, so that
 * unit tests step through a rolling reset without a database and without sleeping
 * (tests/unit/rolling-reset.test.ts). The driver (lib/config/rollout.ts) carries the action out.
 *
 * The rules: nodes restart one at a time in the planned order (lib/config/plan-rollout.ts); a
 * node must have written the reference before it restarts, and be back in sync before the next
 * goes down; an active node restarts only while another node is active — when none is, one
 * active slot is added for the rollout and the number is put back at the end, once the
 * restarted node has taken its slot again.
 */
import { SETTINGS_LIMITS } from '@/lib/cluster/settings';
import type { TRolloutStep } from '@/lib/config/plan-rollout';
import { isLive, type TRolloutFacts, type TRolloutMember } from '@/lib/config/rollout-facts';

/**
 * - steps: restarting the nodes one by one;
 * - restoring: every step done (or one failed): the active count the rollout raised goes back;
 * - releasing: put back; waiting for the node in the extra slot to give it back;
 * - finishing: the outcome is to be recorded.
 */
export type TRolloutPhase = 'steps' | 'restoring' | 'releasing' | 'finishing';

/** A condition being waited for, named by `key`, and when waiting for it gives up. */
export type TRolloutWait = { key: string; deadlineMs: number };

export type TRolloutProgress = {
  steps: TRolloutStep[];
  /** the active count to put back at the end; null while the rollout has added no slot */
  restoreActiveNodeCount: number | null;
  phase: TRolloutPhase;
  /** in the releasing phase: the count that was put back */
  releasingTo: number | null;
  /** why the rollout failed; null while it has not */
  failure: string | null;
  /**
   * The node whose step has begun: it was looked at (live, not in sync) and is on its way to a
   * restart. It restarts even if it comes to look in sync while it is waited for (a node that
   * keeps its own certificate compares as if it had the reference's once it has written it, yet
   * serves its own only after a restart). Null on a fresh drive: the next step is looked at again.
   */
  begun: string | null;
  wait: TRolloutWait | null;
};

export type TRolloutAction =
  | { kind: 'skip'; index: number; message: string }
  | { kind: 'in-sync'; index: number }
  | { kind: 'restart'; index: number }
  /** poll again later; `wait` is the condition's deadline, kept across polls */
  | { kind: 'wait'; wait: TRolloutWait }
  /** raise the active count by one (from `from`) so that another node is active while an active one restarts */
  | { kind: 'add-slot'; from: number }
  | { kind: 'fail'; index: number | null; message: string }
  /** put the active count back to `to` */
  | { kind: 'restore'; to: number }
  /** the extra slot was given back (or waiting for it gave up): record the outcome */
  | { kind: 'released' }
  | { kind: 'finish' };

export type TRolloutContext = {
  /** how long a node may take to come back in sync after its restart */
  restartMs: number;
  nowMs: number;
};

const member = (facts: TRolloutFacts, id: string) => facts.members.find((candidate) => candidate.id === id);
const actives = (facts: TRolloutFacts) => facts.members.filter((other) => other.state === 'ACTIVE').length;

/** Live, restarted since the last restart request, and running the reference. */
export function isInSync(facts: TRolloutFacts, candidate: TRolloutMember | undefined): boolean {
  return (
    !!candidate &&
    isLive(candidate) &&
    candidate.restartedSinceRequest &&
    candidate.activeFingerprint === facts.reference?.fingerprint
  );
}

/**
 * Waits for a condition under KEY: the deadline is set the first time it is waited for and kept
 * while the same condition is awaited; past it, ON_TIMEOUT happens instead.
 */
function waitFor(
  progress: TRolloutProgress,
  key: string,
  withinMs: number,
  nowMs: number,
  onTimeout: () => TRolloutAction,
): TRolloutAction {
  const wait = progress.wait?.key === key ? progress.wait : { key, deadlineMs: nowMs + withinMs };
  return nowMs > wait.deadlineMs ? onTimeout() : { kind: 'wait', wait };
}

export function nextRolloutAction(progress: TRolloutProgress, facts: TRolloutFacts, context: TRolloutContext): TRolloutAction {
  switch (progress.phase) {
    case 'steps':
      return nextStepAction(progress, facts, context);
    case 'restoring': {
      const restore = progress.restoreActiveNodeCount;
      if (restore === null) return { kind: 'finish' };
      // the restarted node takes its slot back first, so that putting the number back leaves no gap
      if (actives(facts) > restore) return { kind: 'restore', to: restore };
      return waitFor(progress, 'restore:back', 30_000, context.nowMs, () => ({ kind: 'restore', to: restore }));
    }
    case 'releasing': {
      // the node in the extra slot gives it back at its next heartbeat: done once it has
      if (progress.releasingTo === null || actives(facts) <= progress.releasingTo) return { kind: 'released' };
      return waitFor(progress, 'restore:released', 2 * facts.windowMs + 5_000, context.nowMs, () => ({ kind: 'released' }));
    }
    case 'finishing':
      return { kind: 'finish' };
  }
}

function nextStepAction(progress: TRolloutProgress, facts: TRolloutFacts, context: TRolloutContext): TRolloutAction {
  const index = progress.steps.findIndex((step) => step.status !== 'IN_SYNC' && step.status !== 'SKIPPED');
  if (index < 0) return { kind: 'finish' };
  const step = progress.steps[index];
  const target = member(facts, step.nodeId);
  const reference = facts.reference;
  if (!reference) return { kind: 'fail', index, message: 'there is no configuration version to roll out' };
  const fail = (message: string) => (): TRolloutAction => ({ kind: 'fail', index, message });

  if (step.status === 'RESTARTING') {
    if (isInSync(facts, target)) return { kind: 'in-sync', index };
    const seconds = Math.round(context.restartMs / 1000);
    return waitFor(
      progress,
      `back:${step.nodeId}`,
      context.restartMs,
      context.nowMs,
      fail(`${step.name} did not come back in sync within ${seconds} s`),
    );
  }
  if (progress.begun !== step.nodeId) {
    if (!target || !isLive(target)) return { kind: 'skip', index, message: 'not responding' };
    if (isInSync(facts, target) && !step.restartAlways) return { kind: 'in-sync', index };
  }
  // the node writes a pushed version within one heartbeat; it must have it before it restarts
  if (!target || target.pendingFingerprint !== reference.fingerprint) {
    return waitFor(
      progress,
      `written:${step.nodeId}`,
      Math.max(10_000, 3 * facts.windowMs),
      context.nowMs,
      fail(`${step.name} did not write configuration version ${reference.version} into its data directory`),
    );
  }
  if (target.state === 'ACTIVE' && !facts.members.some((other) => other.id !== target.id && other.state === 'ACTIVE')) {
    // before an active node goes down another node must be active, with a slot added for a while if need be
    if (!facts.members.some((other) => other.id !== target.id && other.state === 'STANDBY')) {
      if (facts.members.filter(isLive).length === 1) return { kind: 'restart', index }; // a cluster of one: nobody to keep active
      return { kind: 'fail', index, message: `no standby node can take over while ${target.name} restarts` };
    }
    if (progress.restoreActiveNodeCount === null) {
      if (facts.activeNodeCount >= SETTINGS_LIMITS.activeNodeCount.max)
        return { kind: 'fail', index, message: 'no spare active slot to keep a node active' };
      return { kind: 'add-slot', from: facts.activeNodeCount };
    }
    return waitFor(
      progress,
      `other-active:${step.nodeId}`,
      2 * facts.windowMs + 10_000,
      context.nowMs,
      fail(`no other node became active while ${target.name} was to restart`),
    );
  }
  return { kind: 'restart', index };
}
