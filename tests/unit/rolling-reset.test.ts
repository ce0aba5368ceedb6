/**
 * The rolling-reset driver stepped through on the injected timeline, against an in-memory
 * cluster whose members restart when asked (tests/helpers/fake-rollout-store.ts). No database,
 * no sleeping. The integration test (configuration-push.test.ts) proves the same on real nodes.
 */
import { describe, expect, it } from 'vitest';
import { nextRolloutAction, type TRolloutProgress } from '@/lib/config/next-rollout-action';
import { planSteps } from '@/lib/config/plan-rollout';
import { RolloutDriver } from '@/lib/config/rollout';
import type { TRolloutFacts } from '@/lib/config/rollout-facts';
import { Timeline } from '../helpers/fake-cluster';
import { FakeRolloutStore } from '../helpers/fake-rollout-store';

const TIMEOUTS = { restartMs: 20_000, pollMs: 500 };

/** A cluster of COUNT members, ACTIVE of them active, and a rolling reset coordinated by COORDINATOR. */
function setUp(count: number, active: number, coordinator: string) {
  const timeline = new Timeline();
  const store = new FakeRolloutStore(timeline);
  store.addMembers(count, active);
  store.addRollout({ id: 1, coordinatorNode: coordinator, steps: planSteps(store.members, coordinator) });
  const logged: { level: string; message: string }[] = [];
  const restartsOfCoordinator: string[] = [];
  const driver = () =>
    new RolloutDriver({
      store,
      clock: timeline.clock(coordinator),
      nodeId: coordinator,
      requestRestart: (reason) => restartsOfCoordinator.push(reason),
      log: (level, message) => logged.push({ level, message }),
      timeouts: TIMEOUTS,
      settleEveryMs: null,
    });
  const rollout = () => store.rollouts.get(1)!;
  /** Advances until the rollout is no longer RUNNING or the coordinator asked for its restart, checking the cluster on the way. */
  const runUntilSettled = async (limitMs = 120_000) => {
    const asked = restartsOfCoordinator.length;
    for (
      let elapsed = 0;
      elapsed < limitMs && rollout().status === 'RUNNING' && restartsOfCoordinator.length === asked;
      elapsed += 250
    ) {
      await timeline.advance(250);
      expect(store.actives().length).toBeGreaterThanOrEqual(1);
    }
  };
  return { timeline, store, logged, restartsOfCoordinator, driver, rollout, runUntilSettled };
}

describe('rolling reset driver (injected clock and store)', () => {
  it('restarts one node at a time, standbys first and the coordinator last, keeping an active node throughout', async () => {
    const { store, driver, rollout, runUntilSettled, restartsOfCoordinator } = setUp(3, 1, 'n2');
    expect(rollout().steps.map((step) => step.nodeId)).toEqual(['n3', 'n1', 'n2']);
    const first = driver();
    first.start();
    await runUntilSettled();
    // the coordinator restarts itself as the last step: this process ends here
    expect(restartsOfCoordinator).toEqual(['rolling reset #1']);
    expect(store.restarts).toEqual(['n3', 'n1', 'n2']);
    expect(rollout().status).toBe('RUNNING');
    expect(rollout().steps.map((step) => step.status)).toEqual(['IN_SYNC', 'IN_SYNC', 'RESTARTING']);
    // n1 was the only active node: one slot was added while it restarted
    expect(store.activeCounts).toEqual([2]);
    expect(rollout().restoreActiveNodeCount).toBe(1);
    await first.stop();

    // the process after the restart carries on: the coordinator is back in sync, the count goes back
    const second = driver();
    second.start();
    await runUntilSettled();
    await second.stop();
    expect(rollout().status).toBe('COMPLETED');
    expect(rollout().steps.every((step) => step.status === 'IN_SYNC')).toBe(true);
    expect(store.activeCounts).toEqual([2, 1]);
    expect(rollout().restoreActiveNodeCount).toBeNull();
    expect(store.events.map((event) => event.kind)).toEqual(['ROLLOUT_COMPLETED']);
    expect(store.fewestActive).toBeGreaterThanOrEqual(1);
    expect(store.members.every((member) => member.activeFingerprint === 'v2')).toBe(true);
  });

  it('fails the step of a node that does not come back, stops there, and gives the extra slot back', async () => {
    const { store, driver, rollout, runUntilSettled, logged } = setUp(3, 1, 'n3');
    expect(rollout().steps.map((step) => step.nodeId)).toEqual(['n2', 'n1', 'n3']);
    store.neverReturn.add('n1');
    const running = driver();
    running.start();
    await runUntilSettled();
    await running.stop();
    expect(rollout().status).toBe('FAILED');
    expect(rollout().message).toBe('n1 did not come back in sync within 20 s');
    expect(rollout().steps.map((step) => step.status)).toEqual(['IN_SYNC', 'FAILED', 'WAITING']);
    expect(store.restarts).toEqual(['n2', 'n1']); // nothing after the failed step
    expect(store.activeCounts).toEqual([2, 1]);
    expect(rollout().restoreActiveNodeCount).toBeNull();
    expect(store.events.map((event) => event.kind)).toEqual(['ROLLOUT_FAILED']);
    expect(logged.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      'rolling reset #1 failed: n1 did not come back in sync within 20 s',
    ]);
  });

  it('records a failed restore of the active count, and keeps it owed for the settle pass', async () => {
    const { store, driver, rollout, runUntilSettled } = setUp(3, 1, 'n3');
    store.neverReturn.add('n1');
    store.refuseActiveCount = 1;
    const running = driver();
    running.start();
    await runUntilSettled();
    await running.stop();
    expect(rollout().status).toBe('FAILED');
    expect(store.activeNodeCount).toBe(2);
    expect(rollout().restoreActiveNodeCount).toBe(1); // owed
    expect(store.restoreFailures).toEqual([{ rolloutId: 1, activeNodeCount: 1, reason: 'connection refused' }]);
    expect(store.events.map((event) => event.kind)).toEqual(['ROLLOUT_FAILED', 'ROLLOUT_RESTORE_FAILED']);
  });

  it('stop() ends a wait at once and leaves the rollout RUNNING; the next start resumes it', async () => {
    const { timeline, store, driver, rollout, runUntilSettled } = setUp(2, 1, 'n2');
    store.member('n1').pendingFingerprint = 'v1'; // n1 has not written the reference yet: the driver waits
    const first = driver();
    first.start();
    await timeline.advance(3_000);
    expect(rollout().steps[0].status).toBe('WAITING');
    await first.stop();
    expect(rollout().status).toBe('RUNNING');
    const restartsBefore = store.restarts.length;
    await timeline.advance(5_000);
    expect(store.restarts.length).toBe(restartsBefore); // a stopped driver does nothing

    store.member('n1').pendingFingerprint = 'v2';
    const second = driver();
    second.start();
    await runUntilSettled();
    expect(store.restarts).toEqual(['n1', 'n2']);
    await second.stop();
  });

  it('restarts a node that comes to look in sync while it is waited for (it keeps its own certificate)', async () => {
    const { timeline, store, driver, rollout, runUntilSettled } = setUp(2, 1, 'n2');
    store.member('n1').pendingFingerprint = 'v1'; // n1 has not written the reference yet
    const running = driver();
    running.start();
    await timeline.advance(2_000);
    expect(rollout().steps[0].status).toBe('WAITING');
    // it writes it, and compares as if it ran it (its own certificate is left out of the comparison)
    Object.assign(store.member('n1'), { pendingFingerprint: 'v2', activeFingerprint: 'v2' });
    await runUntilSettled();
    expect(store.restarts[0]).toBe('n1');
    await running.stop();
  });

  it('drives one rollout to its end and stops (driveOnce, behind driveRollout)', async () => {
    const { timeline, store, rollout, logged } = setUp(3, 2, 'n1');
    const once = new RolloutDriver({
      store,
      clock: timeline.clock('n1'),
      nodeId: 'n1',
      requestRestart: () => {},
      log: (level, message) => logged.push({ level, message }),
      timeouts: TIMEOUTS,
      settleEveryMs: null,
    });
    const driving = once.driveOnce(1);
    for (let elapsed = 0; elapsed < 60_000 && store.restarts.length < 3; elapsed += 250) await timeline.advance(250);
    await driving;
    expect(store.restarts).toEqual(['n3', 'n2', 'n1']); // n2 (active) before the coordinator n1, which restarts itself last
    expect(rollout().status).toBe('RUNNING');
    await expect(once.driveOnce(1)).rejects.toThrow(/cannot drive when stopped/);
  });

  it('settles stalled rollouts on its timer, and not after stop()', async () => {
    const timeline = new Timeline();
    const store = new FakeRolloutStore(timeline);
    const driver = new RolloutDriver({
      store,
      clock: timeline.clock('n1'),
      nodeId: 'n1',
      requestRestart: () => {},
      log: () => {},
      settleEveryMs: 10_000,
    });
    driver.start();
    await timeline.advance(35_000);
    expect(store.settled).toBe(3);
    await driver.stop();
    await timeline.advance(30_000);
    expect(store.settled).toBe(3);
  });
});

describe('the next step of a rolling reset (pure)', () => {
  const facts = (members: Partial<TRolloutFacts['members'][number]>[], extra: Partial<TRolloutFacts> = {}): TRolloutFacts => ({
    members: members.map((member, index) => ({
      id: `n${index + 1}`,
      name: `n${index + 1}`,
      state: 'STANDBY',
      heartbeatAgeMs: 100,
      activeFingerprint: 'v1',
      pendingFingerprint: 'v2',
      restartedSinceRequest: true,
      ...member,
    })),
    reference: { version: 2, fingerprint: 'v2' },
    activeNodeCount: 1,
    settingsVersion: 1,
    windowMs: 5_000,
    ...extra,
  });
  const progress = (statuses: string[], extra: Partial<TRolloutProgress> = {}): TRolloutProgress => ({
    steps: statuses.map((status, index) => ({
      nodeId: `n${index + 1}`,
      name: `n${index + 1}`,
      status: status as TRolloutProgress['steps'][number]['status'],
    })),
    restoreActiveNodeCount: null,
    phase: 'steps',
    releasingTo: null,
    failure: null,
    wait: null,
    begun: null,
    ...extra,
  });
  const context = { restartMs: 20_000, nowMs: 1_000 };

  it('skips a node that is not responding, and marks one already in sync', () => {
    expect(nextRolloutAction(progress(['WAITING']), facts([{ state: 'NOT_RESPONDING' }]), context)).toEqual({
      kind: 'skip',
      index: 0,
      message: 'not responding',
    });
    expect(nextRolloutAction(progress(['WAITING']), facts([{ activeFingerprint: 'v2' }]), context)).toEqual({
      kind: 'in-sync',
      index: 0,
    });
  });

  it('restarts a node in sync when its step says to restart always (a database move)', () => {
    const steps = progress(['WAITING']).steps.map((step) => ({ ...step, restartAlways: true }));
    expect(nextRolloutAction({ ...progress([]), steps }, facts([{ activeFingerprint: 'v2' }]), context)).toEqual({
      kind: 'restart',
      index: 0,
    });
  });

  it('waits for the reference to be written, keeps the deadline across polls, and fails after it', () => {
    const notWritten = facts([{ pendingFingerprint: 'v1' }]);
    const first = nextRolloutAction(progress(['WAITING']), notWritten, context);
    expect(first).toEqual({ kind: 'wait', wait: { key: 'written:n1', deadlineMs: 16_000 } });
    const waiting = progress(['WAITING'], { wait: first.kind === 'wait' ? first.wait : null });
    expect(nextRolloutAction(waiting, notWritten, { ...context, nowMs: 15_000 })).toEqual(first);
    expect(nextRolloutAction(waiting, notWritten, { ...context, nowMs: 16_001 })).toEqual({
      kind: 'fail',
      index: 0,
      message: 'n1 did not write configuration version 2 into its data directory',
    });
  });

  it('restarts the only node of a cluster of one, but refuses to leave a larger cluster without a node to take over', () => {
    expect(nextRolloutAction(progress(['WAITING']), facts([{ state: 'ACTIVE' }]), context)).toEqual({
      kind: 'restart',
      index: 0,
    });
    expect(
      nextRolloutAction(progress(['WAITING', 'WAITING']), facts([{ state: 'ACTIVE' }, { state: 'MAINTENANCE' }]), context),
    ).toEqual({
      kind: 'fail',
      index: 0,
      message: 'no standby node can take over while n1 restarts',
    });
  });

  it('adds a slot before an only active node restarts, then waits for another node to be active', () => {
    const alone = facts([{ state: 'ACTIVE' }, { state: 'STANDBY' }]);
    expect(nextRolloutAction(progress(['WAITING', 'WAITING']), alone, context)).toEqual({ kind: 'add-slot', from: 1 });
    expect(nextRolloutAction(progress(['WAITING', 'WAITING'], { restoreActiveNodeCount: 1 }), alone, context)).toMatchObject({
      kind: 'wait',
      wait: { key: 'other-active:n1' },
    });
    const covered = facts([{ state: 'ACTIVE' }, { state: 'ACTIVE' }], { activeNodeCount: 2 });
    expect(nextRolloutAction(progress(['WAITING', 'WAITING'], { restoreActiveNodeCount: 1 }), covered, context)).toEqual({
      kind: 'restart',
      index: 0,
    });
  });

  it('puts the count back once the restarted node is active again, or after 30 s without it', () => {
    const restoring = progress(['IN_SYNC'], { phase: 'restoring', restoreActiveNodeCount: 1 });
    expect(nextRolloutAction(restoring, facts([{ state: 'ACTIVE' }, { state: 'ACTIVE' }]), context)).toEqual({
      kind: 'restore',
      to: 1,
    });
    const one = facts([{ state: 'ACTIVE' }, { state: 'STANDBY' }]);
    expect(nextRolloutAction(restoring, one, context)).toMatchObject({ kind: 'wait' });
    expect(nextRolloutAction({ ...restoring, wait: { key: 'restore:back', deadlineMs: 500 } }, one, context)).toEqual({
      kind: 'restore',
      to: 1,
    });
    expect(nextRolloutAction(progress(['IN_SYNC'], { phase: 'restoring' }), one, context)).toEqual({ kind: 'finish' });
  });
});
