/**
 * The store contract: what the cluster agent may rely on from any TClusterStore, written once and
 * run against the in-memory store of the unit tests (tests/unit/cluster-store-contract.test.ts)
 * and against PgClusterStore on a real database (tests/integration/cluster-store-contract.test.ts).
 * A case that passes on one store and fails on the other is a difference between the fake and the
 * real thing: the real store's semantics win.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TClaim, TClaimAnswer, TClusterStore, THeartbeatResult } from '@/lib/cluster/store';

export type TContractSettings = { intervalMs: number; failoverHeartbeats: number; activeNodeCount: number };

/** A store on a fresh, empty cluster, and the operator actions the agent only ever sees through it. */
export type TStoreUnderTest = {
  store: TClusterStore;
  /**
   * Calls attempt until it answers something other than null, letting store time pass between
   * calls (a fake clock steps; a real database is polled); fails once withinMs have passed.
   */
  eventually<T>(attempt: () => Promise<T | null>, withinMs: number): Promise<T>;
  setMaintenance(nodeId: string, enabled: boolean): Promise<void>;
  /** Tombstones a node, as an operator's removal does. */
  remove(nodeId: string): Promise<void>;
  /** Reserves slot 0 for nodeId, as an operator's "make active" does with one active node. */
  requestHandover(nodeId: string): Promise<void>;
  dispose(): Promise<void>;
};

export type TMakeStore = (settings: TContractSettings) => Promise<TStoreUnderTest>;

/** A window long enough that no lease runs out while a case that does not wait for it runs. */
const LONG: TContractSettings = { intervalMs: 1_000, failoverHeartbeats: 5, activeNodeCount: 1 };
/** A short window, for the cases that wait for a lease to run out. */
const SHORT: TContractSettings = { intervalMs: 200, failoverHeartbeats: 2, activeNodeCount: 1 };
/** Claims in these cases never come from a late node; the grace is only used where it is the point. */
const LATE_AFTER_MS = 60_000;
const NO_GRACE = 0;
const GRACE_MS = 60_000;

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const UNKNOWN = '00000000-0000-4000-8000-0000000000ff';

function registration(id: string) {
  return { id, name: `node-${id.slice(-1)}`, url: `http://node-${id.slice(-1)}`, version: 'contract' };
}

function beat(
  store: TClusterStore,
  nodeId: string,
  lease: { slot: number; epoch: number } | null = null,
): Promise<THeartbeatResult> {
  return store.heartbeat({ nodeId, lease, skewMs: null, configuration: null });
}

function expectClaim(answer: TClaimAnswer): TClaim {
  expect(answer).toMatchObject({ slot: expect.any(Number), epoch: expect.any(Number) });
  return answer as TClaim;
}

function leaseOf(claim: TClaim) {
  return { slot: claim.slot, epoch: claim.epoch };
}

export function describeClusterStoreContract(name: string, makeStore: TMakeStore): void {
  describe(`cluster store contract: ${name}`, () => {
    let current: TStoreUnderTest | undefined;
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    async function cluster(settings: TContractSettings, ...nodeIds: string[]): Promise<TStoreUnderTest> {
      current = await makeStore(settings);
      // one after the other: registration order is the order of the line
      for (const id of nodeIds) expect(await current.store.register(registration(id))).toBe('registered');
      return current;
    }

    it('registers a node, and a heartbeat answers the settings and the free slots', async () => {
      const { store } = await cluster({ ...LONG, activeNodeCount: 2 }, A);
      const result = await beat(store, A);
      expect(result).toMatchObject({
        accepted: true,
        maintenance: false,
        renewed: false,
        handoverRequested: false,
        handoverForMe: false,
        freeSlots: 2,
        nextExpiryMs: null,
        restartRequested: false,
        referenceVersion: null,
        settings: {
          intervalMs: 1_000,
          failoverHeartbeats: 5,
          activeNodeCount: 2,
          settingsVersion: 1,
          previousIntervalMs: 1_000,
          previousWindowMs: 5_000,
        },
      });
      expect(result.settings.sinceChangeMs).toBeGreaterThanOrEqual(0);
      expect(result.dbNowMs).toBeGreaterThan(0);
      // registering again (a restart) is accepted too
      expect(await store.register(registration(A))).toBe('registered');
    });

    it('does not accept a heartbeat, nor a claim, from a node that never registered', async () => {
      const { store } = await cluster(LONG);
      const result = await beat(store, UNKNOWN, { slot: 0, epoch: 1 });
      expect(result).toMatchObject({ accepted: false, renewed: false, maintenance: false });
      expect(await store.claim(UNKNOWN, LATE_AFTER_MS, NO_GRACE)).toBeNull();
    });

    it('releasing or leaving with what a node does not hold changes nothing and fails no call', async () => {
      const { store } = await cluster(LONG, A);
      expect(await store.release(UNKNOWN, { slot: 0, epoch: 1 }, 'stopping')).toBe(false);
      expect(await store.release(A, { slot: 1_000, epoch: 1 }, 'stopping')).toBe(false);
      await store.leave(UNKNOWN, { slot: 0, epoch: 1 });
      await store.leave(UNKNOWN, null);
      expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
    });

    it('a claim takes a free slot with the window and bumps the epoch; nobody else gets it while the lease is valid', async () => {
      const { store } = await cluster({ ...LONG, activeNodeCount: 2 }, A, B, C);
      const first = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      expect(first).toEqual({ slot: 0, epoch: expect.any(Number), windowMs: 5_000, intervalMs: 1_000 });
      const second = expectClaim(await store.claim(B, LATE_AFTER_MS, NO_GRACE));
      expect(second.slot).toBe(1);
      expect(second.epoch).toBeGreaterThan(first.epoch);
      // every slot is held: the third node gets nothing, and a holder never takes a second slot
      expect(await store.claim(C, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      expect(await store.claim(A, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      const standby = await beat(store, C);
      expect(standby.freeSlots).toBe(0);
      expect(standby.nextExpiryMs).toBeGreaterThan(0);
      expect(standby.nextExpiryMs).toBeLessThanOrEqual(5_000);
    });

    it('renews a lease for its holder under the same epoch only: a stale epoch changes nothing', async () => {
      const { store } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      // the epoch is the fencing token: a renewal naming another epoch must change nothing
      expect((await beat(store, A, { slot: claim.slot, epoch: claim.epoch - 1 })).renewed).toBe(false);
      expect((await beat(store, A, { slot: claim.slot, epoch: claim.epoch + 1 })).renewed).toBe(false);
      // nor does another node renew a slot it does not hold
      expect((await beat(store, B, leaseOf(claim))).renewed).toBe(false);
      const renewal = await beat(store, A, leaseOf(claim));
      expect(renewal).toMatchObject({ accepted: true, renewed: true, handoverRequested: false, freeSlots: 0 });
      // the holder's own lease is not "another" lease that runs out
      expect(renewal.nextExpiryMs).toBeNull();
      expect(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).toBeNull();
    });

    it('a release by the holder frees the slot at once; a release under a stale epoch does nothing', async () => {
      const { store } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      expect(await store.release(A, { slot: claim.slot, epoch: claim.epoch - 1 }, 'surplus')).toBe(false);
      expect(await store.release(B, leaseOf(claim), 'surplus')).toBe(false);
      expect(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).toBeNull();

      expect(await store.release(A, leaseOf(claim), 'surplus')).toBe(true);
      expect((await beat(store, B)).freeSlots).toBe(1);
      // a released lease is not renewed, and releasing it again finds nothing
      expect((await beat(store, A, leaseOf(claim))).renewed).toBe(false);
      expect(await store.release(A, leaseOf(claim), 'surplus')).toBe(false);
      const next = expectClaim(await store.claim(B, LATE_AFTER_MS, NO_GRACE));
      expect(next.slot).toBe(claim.slot);
      expect(next.epoch).toBeGreaterThan(claim.epoch);
    });

    it('prefers the member ahead in line for the grace after a slot became free', async () => {
      const { store } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      expect(await store.release(A, leaseOf(claim), 'surplus')).toBe(true);
      // A registered first and may claim: B is told how long A keeps its preference
      const answer = await store.claim(B, LATE_AFTER_MS, GRACE_MS);
      expect(answer).toEqual({ waitMs: expect.any(Number) });
      const { waitMs } = answer as { waitMs: number };
      expect(waitMs).toBeGreaterThan(0);
      expect(waitMs).toBeLessThanOrEqual(GRACE_MS);
      expectClaim(await store.claim(A, LATE_AFTER_MS, GRACE_MS));
    });

    it('after the lease runs out another node claims under a higher epoch, and the old holder cannot renew', async () => {
      const { store, eventually } = await cluster(SHORT, A, B);
      const first = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      expect(first.windowMs).toBe(400);
      expect(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      // A stops heartbeating (kill -9): nothing is released, the lease has to run out
      const taken = await eventually(async () => {
        const answer = await store.claim(B, LATE_AFTER_MS, NO_GRACE);
        return answer && 'slot' in answer ? answer : null;
      }, 5 * first.windowMs);
      expect(taken.slot).toBe(first.slot);
      expect(taken.epoch).toBeGreaterThan(first.epoch);
      const old = await beat(store, A, leaseOf(first));
      expect(old).toMatchObject({ accepted: true, renewed: false, freeSlots: 0 });
      expect(await store.release(A, leaseOf(first), 'fenced')).toBe(false);
      expect((await beat(store, B, leaseOf(taken))).renewed).toBe(true);
    });

    it('does not renew a lease that ran out, even when nobody took the slot', async () => {
      const { store, eventually } = await cluster(SHORT, A);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      await eventually(async () => ((await beat(store, A)).freeSlots === 1 ? true : null), 5 * claim.windowMs);
      expect((await beat(store, A, leaseOf(claim))).renewed).toBe(false);
      // the node claims again, under a new epoch
      expect(expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE)).epoch).toBeGreaterThan(claim.epoch);
    });

    it('a node in maintenance is told so and never claims; out of maintenance it stands by again', async () => {
      const { store, setMaintenance } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      await setMaintenance(A, true);
      // the holder still renews: it hands the slot back itself (reason 'maintenance')
      expect(await beat(store, A, leaseOf(claim))).toMatchObject({ accepted: true, maintenance: true, renewed: true });
      expect(await store.release(A, leaseOf(claim), 'maintenance')).toBe(true);
      expect(await store.claim(A, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      const standby = expectClaim(await store.claim(B, LATE_AFTER_MS, NO_GRACE));
      expect(await store.release(B, leaseOf(standby), 'surplus')).toBe(true);

      await setMaintenance(A, false);
      expect((await beat(store, A)).maintenance).toBe(false);
      expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
    });

    it('a hand-over asks the holder to release, then reserves the slot for the chosen node', async () => {
      const { store, requestHandover } = await cluster(LONG, A, B, C);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      await requestHandover(C);
      expect(await beat(store, A, leaseOf(claim))).toMatchObject({ renewed: true, handoverRequested: true });
      // while the holder still holds it, the slot is not free for anyone
      expect(await beat(store, C)).toMatchObject({ handoverForMe: false, freeSlots: 0 });
      expect(await store.release(A, leaseOf(claim), 'handover')).toBe(true);

      // reserved: free for the chosen node only, which does not wait for the members ahead of it
      expect(await beat(store, C)).toMatchObject({ handoverForMe: true, freeSlots: 1 });
      expect(await beat(store, B)).toMatchObject({ handoverForMe: false, freeSlots: 0 });
      expect(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      const taken = expectClaim(await store.claim(C, LATE_AFTER_MS, GRACE_MS));
      expect(taken.slot).toBe(claim.slot);
      expect(taken.epoch).toBeGreaterThan(claim.epoch);
      // the claim consumed the reservation
      expect(await beat(store, C, leaseOf(taken))).toMatchObject({
        renewed: true,
        handoverRequested: false,
        handoverForMe: false,
      });
    });

    it('a reservation lapses after one window: the chosen node then waits in line like any other', async () => {
      const { store, eventually, requestHandover } = await cluster(SHORT, A, B, C);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      await requestHandover(C);
      expect(await store.release(A, leaseOf(claim), 'handover')).toBe(true);
      await eventually(async () => ((await beat(store, B)).freeSlots === 1 ? true : null), 5 * claim.windowMs);
      expect((await beat(store, C)).handoverForMe).toBe(false);
      // A and B are ahead of C and may claim: C no longer skips the grace
      expect(await store.claim(C, LATE_AFTER_MS, GRACE_MS)).toEqual({ waitMs: expect.any(Number) });
      expect(expectClaim(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).epoch).toBeGreaterThan(claim.epoch);
    });

    it('a node that left hands back its slot and stays out of line until it registers again', async () => {
      const { store } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      await store.leave(A, leaseOf(claim));
      expect((await beat(store, B)).freeSlots).toBe(1);
      expect(await store.claim(A, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      expect(await store.register(registration(A))).toBe('registered');
      expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
    });

    it('refuses a removed node: no registration, no heartbeat, no claim', async () => {
      const { store, setMaintenance, remove } = await cluster(LONG, A, B);
      await setMaintenance(B, true);
      await remove(B);
      expect(await store.register(registration(B))).toBe('refused');
      expect(await beat(store, B)).toMatchObject({ accepted: false, maintenance: false, renewed: false });
      expect(await store.claim(B, LATE_AFTER_MS, NO_GRACE)).toBeNull();
      // the others carry on
      expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
    });

    it('an active node records a silent member once with its renewal, and only under its valid lease', async () => {
      const { store, eventually } = await cluster(LONG, A, B);
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      const thresholds = { lateAfterMs: 50, notRespondingAfterMs: 60_000 };
      const observe = (nodeId: string, lease: { slot: number; epoch: number } | null, observe = thresholds) =>
        store.heartbeat({ nodeId, lease, skewMs: null, configuration: null, observe });
      // a renewal under another epoch fails, and records nothing
      expect(await observe(A, { slot: claim.slot, epoch: claim.epoch + 1 })).toMatchObject({
        renewed: false,
        observedChanges: 0,
      });
      // B is late once its last heartbeat is 50 ms old: the transition is recorded once
      await eventually(async () => ((await observe(A, leaseOf(claim))).observedChanges === 1 ? true : null), 5_000);
      expect(await observe(A, leaseOf(claim))).toMatchObject({ renewed: true, observedChanges: 0 });
      // a heartbeat makes B alive again; a node without the lease records nothing, with or without one named
      const atOnce = { lateAfterMs: 0, notRespondingAfterMs: 60_000 };
      expect((await observe(B, null, atOnce)).observedChanges).toBe(0);
      expect((await observe(B, leaseOf(claim), atOnce)).observedChanges).toBe(0);
      expect((await observe(A, leaseOf(claim), atOnce)).observedChanges).toBe(1);
      // then NOT_RESPONDING, once
      const longSilent = { lateAfterMs: 0, notRespondingAfterMs: 0 };
      expect((await observe(A, leaseOf(claim), longSilent)).observedChanges).toBe(1);
      expect((await observe(A, leaseOf(claim), longSilent)).observedChanges).toBe(0);
    });

    it('only a heartbeat without a lease commits asynchronously: never one that renews', async () => {
      const { store } = await cluster(LONG, A, B);
      // the first heartbeat notes the database identity: synchronous, as everything a guarantee rests on
      await beat(store, A);
      expect(await beat(store, B)).toMatchObject({ renewed: false, asynchronousCommit: true });
      const claim = expectClaim(await store.claim(A, LATE_AFTER_MS, NO_GRACE));
      expect(await beat(store, A, leaseOf(claim))).toMatchObject({ renewed: true, asynchronousCommit: false });
      // a lease named but not renewed (another epoch) is still committed synchronously
      expect(await beat(store, A, { slot: claim.slot, epoch: claim.epoch + 1 })).toMatchObject({
        renewed: false,
        asynchronousCommit: false,
      });
      expect(await beat(store, A)).toMatchObject({ renewed: false, asynchronousCommit: true });
    });
  });
}
