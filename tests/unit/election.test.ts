/**
 * The election driven step by step: real ClusterAgent objects on an injected timeline and an
 * in-memory store with the rules of the SQL store. No sleeping.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAgent } from '@/lib/cluster/agent';
import { activePeriods, maxConcurrentActive, type TBeliefRecord } from '@/lib/cluster/belief-log';
import type { TClock } from '@/lib/cluster/clock';
import { claimGraceMs, decide, fenceDeadline, heartbeatDelay } from '@/lib/cluster/election';
import { heartbeatResult, MemoryStore, Timeline } from '../helpers/fake-cluster';

function cluster(
  count: number,
  settings: Partial<MemoryStore['settings']> = {},
  clockFor?: (timeline: Timeline, id: string) => TClock,
) {
  const timeline = new Timeline();
  const store = new MemoryStore(timeline);
  Object.assign(store.settings, settings, { previousIntervalMs: settings.intervalMs ?? 1_000 });
  const beliefs: TBeliefRecord[] = [];
  const agents = Array.from({ length: count }, (_, index) => {
    const id = `00000000-0000-4000-8000-00000000000${index + 1}`;
    return new ClusterAgent({
      store,
      clock: clockFor ? clockFor(timeline, id) : timeline.clock(id),
      node: { id, name: `node-${index + 1}`, url: `http://node-${index + 1}`, version: 'test' },
      clusterId: 'cluster',
      beliefLog: { write: (record) => beliefs.push(record) },
    });
  });
  const ids = agents.map((_, index) => `00000000-0000-4000-8000-00000000000${index + 1}`);
  const active = () => agents.filter((agent) => agent.isActiveNow());
  const maxOverlap = () => maxConcurrentActive(activePeriods(beliefs));
  return { timeline, store, agents, ids, active, beliefs, maxOverlap };
}

async function startAll(agents: ClusterAgent[], timeline: Timeline) {
  // one after the other, so that registration order (and so the standby order) is known
  for (const agent of agents) {
    await agent.start();
    await timeline.advance(1);
  }
}

describe('election (injected clock and store)', () => {
  it('makes exactly one node active, the longest-standing member', async () => {
    const { timeline, agents, active } = cluster(3);
    await startAll(agents, timeline);
    await timeline.advance(1_000);
    expect(active()).toEqual([agents[0]]);
    expect(agents.map((agent) => agent.status().state)).toEqual(['ACTIVE', 'STANDBY', 'STANDBY']);
  });

  it('fails over within the window plus one interval, deterministically, without pre-emption', async () => {
    const { timeline, store, agents, ids, active, maxOverlap } = cluster(3);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    const killedAt = timeline.now;
    timeline.kill(ids[0]); // kill -9: no release, the lease has to run out
    let tookOver = 0;
    while (active().length === 0 || active()[0] === agents[0]) {
      await timeline.advance(50);
      tookOver = timeline.now - killedAt;
      expect(tookOver).toBeLessThanOrEqual(5_000 + 1_000);
    }
    expect(active()).toEqual([agents[1]]); // the next member in line, not a random one
    expect(tookOver).toBeLessThanOrEqual(5_000);
    expect(store.epoch).toBe(2);
    expect(maxOverlap()).toBe(1);
  });

  it('fences a paused active node before anyone can take over, and it wakes up as a standby', async () => {
    const { timeline, agents, ids, active, maxOverlap } = cluster(2);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[0]]);
    timeline.paused.add(ids[0]); // SIGSTOP: its timers cannot run
    await timeline.advance(8_000);
    expect(active()).toEqual([agents[1]]);
    // before a single timer of the woken node runs, it already knows it is no longer active
    expect(agents[0].isActiveNow()).toBe(false);
    expect(agents[0].status().state).toBe('FENCED');
    timeline.paused.delete(ids[0]); // SIGCONT
    await timeline.advance(1_500);
    expect(agents[0].status().state).toBe('STANDBY');
    expect(active()).toEqual([agents[1]]);
    expect(maxOverlap()).toBe(1);
  });

  it('rides out a database outage: actives fence themselves, and the cluster converges when it returns', async () => {
    const { timeline, store, agents, active, maxOverlap } = cluster(3, { activeNodeCount: 2 });
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(active()).toHaveLength(2);
    store.available = false;
    await timeline.advance(4_100); // window − interval after the last renewal
    expect(active()).toHaveLength(0);
    expect(agents.filter((agent) => agent.status().state === 'FENCED')).toHaveLength(2);
    expect(agents.every((agent) => !agent.status().databaseReachable)).toBe(true);
    await timeline.advance(10_000);
    store.available = true;
    await timeline.advance(2_100);
    expect(active()).toHaveLength(2);
    expect(maxOverlap()).toBeLessThanOrEqual(2);
  });

  it('treats a database failover as a fencing event: every active node stops, slots are claimed again under a new epoch', async () => {
    const { timeline, store, agents, active, beliefs, maxOverlap } = cluster(3, { activeNodeCount: 2 });
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    const before = agents.filter((agent) => agent.isActiveNow()).map((agent) => agent.status().epoch);
    expect(before).toHaveLength(2);
    store.available = false;
    await timeline.advance(500);
    store.promoteStandby();
    store.available = true;
    // every node heartbeats within one interval: each active one sees the failover and ends its belief
    await timeline.advance(1_000);
    expect(store.events.filter((event) => event.kind === 'DATABASE_FAILOVER')).toHaveLength(1);
    const ended = beliefs.filter((record) => record.t === 'end' && record.reason === 'database-failover');
    expect(ended.map((record) => record.epoch).sort()).toEqual([...before].sort());
    expect(store.events.filter((event) => event.kind === 'FENCED')).toHaveLength(2);
    await timeline.advance(2_000);
    expect(active()).toHaveLength(2);
    // epochs on the new timeline are above any the old primary granted
    expect(active().every((agent) => agent.status().epoch > 2_000_000_000)).toBe(true);
    expect(maxOverlap()).toBeLessThanOrEqual(2);
  });

  it('fills new slots within one interval, and surplus actives step down within one interval', async () => {
    const { timeline, store, agents, active } = cluster(4);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    store.setSettings({ activeNodeCount: 3 });
    await timeline.advance(1_000);
    expect(active()).toHaveLength(3);
    store.setSettings({ activeNodeCount: 1 });
    await timeline.advance(1_000);
    expect(active()).toHaveLength(1);
    expect(store.events.filter((event) => event.kind === 'BECAME_STANDBY:surplus')).toHaveLength(2);
  });

  it('hands the active role to a chosen standby, and keeps maintenance nodes out', async () => {
    const { timeline, store, agents, ids, active } = cluster(3);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    store.handOver(ids[2], 0);
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[2]]);
    store.nodes.get(ids[2])!.maintenance = true;
    store.nodes.get(ids[0])!.maintenance = true;
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[1]]);
    expect(agents[2].status().state).toBe('MAINTENANCE');
  });

  it('stops taking part when the cluster removed its id', async () => {
    const { timeline, store, agents, ids } = cluster(2);
    await startAll(agents, timeline);
    await timeline.advance(1_000);
    store.nodes.get(ids[1])!.removed = true;
    await timeline.advance(1_000);
    expect(agents[1].status()).toMatchObject({ state: 'FENCED', membership: 'REMOVED' });
  });

  it('hands the slot back on a clean stop, so a standby takes over at once', async () => {
    const { timeline, agents, active } = cluster(2);
    await startAll(agents, timeline);
    await timeline.advance(1_000);
    await agents[0].stop();
    await timeline.advance(1_000);
    expect(active()).toEqual([agents[1]]);
  });
});

describe('election rules', () => {
  const heartbeat = heartbeatResult;
  const active = { kind: 'active', slot: 0, epoch: 7 } as const;

  it('demotes at once when a renewal changed nothing', () => {
    expect(decide(active, heartbeat({ renewed: false }))).toEqual({ kind: 'lost' });
  });

  it('releases for maintenance, for a smaller active count and for a hand-over', () => {
    expect(decide(active, heartbeat({ maintenance: true }))).toEqual({ kind: 'release', reason: 'maintenance' });
    expect(decide({ ...active, slot: 1 }, heartbeat())).toEqual({ kind: 'release', reason: 'surplus' });
    expect(decide(active, heartbeat({ handoverRequested: true }))).toEqual({ kind: 'release', reason: 'handover' });
  });

  it('lets a standby claim a free slot, or wait for a lease that runs out before its next heartbeat', () => {
    const standby = { kind: 'standby' } as const;
    expect(decide(standby, heartbeat({ freeSlots: 1 }))).toEqual({ kind: 'claim' });
    expect(decide(standby, heartbeat({ nextExpiryMs: 400 }))).toEqual({ kind: 'claim-at', delayMs: 410 });
    expect(decide(standby, heartbeat({ nextExpiryMs: 4_000 }))).toEqual({ kind: 'stay' });
    expect(decide(standby, heartbeat({ freeSlots: 1, maintenance: true }))).toEqual({ kind: 'stay' });
  });

  it('fences one interval before the lease can run out, and renews in time even with a tight window', () => {
    expect(fenceDeadline(10_000, 5_000, 1_000)).toBe(14_000);
    expect(heartbeatDelay(active, 1_000, 5_000)).toBe(1_000);
    expect(heartbeatDelay(active, 1_000, 2_000)).toBe(800);
    expect(heartbeatDelay({ kind: 'standby' }, 1_000, 2_000)).toBe(1_000);
  });
});

describe('no single node stalls the election', () => {
  it('fences at the deadline even when the fence timer fires early and the renewal hangs', async () => {
    // Node timers may fire a little early; this clock fires every timer 1 ms early
    const early = (timeline: Timeline, id: string): TClock => {
      const base = timeline.clock(id);
      return { ...base, setTimer: (fn, ms) => base.setTimer(fn, ms > 1 ? ms - 1 : ms) };
    };
    const { timeline, store, agents, beliefs } = cluster(2, { intervalMs: 1_000, failoverHeartbeats: 3 }, early);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(agents[0].isActiveNow()).toBe(true);
    const lastBegin = beliefs.filter((record) => record.node === store.nodes.keys().next().value && record.t !== 'end').at(-1)!;
    // the database stops answering: a renewal is sent and hangs (no answer, no error)
    const hang = new Promise<never>(() => {});
    store.heartbeat = () => hang;
    await timeline.advance(3_000);
    const ended = beliefs.filter((record) => record.t === 'end' && record.node === lastBegin.node);
    expect(ended.map((record) => record.t === 'end' && record.reason)).toEqual(['fenced']);
    expect(ended[0].at).toBeLessThanOrEqual((lastBegin as { until: number }).until + 1);
    expect(agents[0].status().state).toBe('FENCED');
  });

  it('a renewal answered after the fence deadline does not revive the belief: FENCED once, the slot handed back at once', async () => {
    const { timeline, store, agents, ids, active, maxOverlap } = cluster(2, { intervalMs: 1_000, failoverHeartbeats: 3 });
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[0]]);
    // the active node's next renewal is applied at once, but its answer takes 2.5 s (> window − interval)
    const heartbeat = store.heartbeat.bind(store);
    const slow = timeline.clock('network');
    let delayed = false;
    store.heartbeat = async (input) => {
      const answer = await heartbeat(input);
      if (input.nodeId === ids[0] && input.lease && !delayed) {
        delayed = true;
        await new Promise((resolve) => slow.setTimer(() => resolve(undefined), 2_500));
      }
      return answer;
    };
    await timeline.advance(3_500);
    expect(agents[0].isActiveNow()).toBe(false);
    await timeline.advance(2_500);
    expect(store.events.filter((event) => event.kind === 'FENCED' && event.nodeId === ids[0])).toHaveLength(1);
    expect(store.events.map((event) => event.kind)).toContain('BECAME_STANDBY:fenced');
    // handed back rather than left to run out: the other node is active well within a window
    expect(active()).toEqual([agents[1]]);
    expect(maxOverlap()).toBe(1);
  });

  it('records a fence once even when the answer to recording it is lost', async () => {
    const { timeline, store, agents, ids } = cluster(2, { intervalMs: 1_000, failoverHeartbeats: 3 });
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    store.available = false;
    await timeline.advance(3_000);
    store.available = true;
    // the first FENCED insert commits but its answer is lost: the agent sends it again
    const record = store.recordEvent.bind(store);
    let lose = true;
    store.recordEvent = async (kind, nodeId, details) => {
      await record(kind, nodeId, details);
      if (lose) {
        lose = false;
        throw new Error('connection reset');
      }
    };
    await timeline.advance(3_000);
    expect(store.events.filter((event) => event.kind === 'FENCED' && event.nodeId === ids[0])).toHaveLength(1);
  });

  it('the first standby in line is a preference: when it has not claimed within the grace, the next one claims', async () => {
    const { timeline, store, agents, ids, active } = cluster(3, { intervalMs: 1_000, failoverHeartbeats: 3 });
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[0]]);
    // the second node keeps heartbeating but its claims never arrive (a slow link to the database)
    const claim = store.claim.bind(store);
    store.claim = (nodeId, lateAfterMs, graceMs) =>
      nodeId === ids[1] ? new Promise(() => {}) : claim(nodeId, lateAfterMs, graceMs);
    const killedAt = timeline.now;
    timeline.kill(ids[0]);
    const survivors = () => active().filter((agent) => agent !== agents[0]);
    let tookOver = 0;
    for (let step = 0; step < 60 && survivors().length === 0; step += 1) {
      await timeline.advance(100);
      tookOver = timeline.now - killedAt;
    }
    expect(survivors()).toEqual([agents[2]]);
    // the dead node's lease (one window) plus the grace, within window + interval
    expect(tookOver).toBeLessThanOrEqual(3_000 + 1_000);
    expect(claimGraceMs(1_000)).toBeLessThanOrEqual(1_000);
  });
  it('the active node records a silent member LATE, then NOT_RESPONDING, once each, with its heartbeats', async () => {
    const { timeline, store, agents, ids, active } = cluster(3);
    await startAll(agents, timeline);
    await timeline.advance(2_000);
    expect(active()).toEqual([agents[0]]);
    const stages = () => store.events.filter((event) => event.nodeId === ids[2] && event.kind !== 'REGISTERED');
    timeline.paused.add(ids[2]); // SIGSTOP: it sends no heartbeat
    await timeline.advance(2_500); // late after 1.5 intervals
    expect(stages().map((event) => event.kind)).toEqual(['LATE']);
    await timeline.advance(4_000); // not responding after the window (5 s)
    expect(stages().map((event) => event.kind)).toEqual(['LATE', 'NOT_RESPONDING']);
    await timeline.advance(3_000);
    expect(stages()).toHaveLength(2);
    // back: its own heartbeat makes it alive, and the active node records nothing more
    timeline.paused.delete(ids[2]);
    await timeline.advance(3_000);
    expect(store.nodes.get(ids[2])?.observed).toBe('ALIVE');
    expect(stages()).toHaveLength(2);
    expect(active()).toEqual([agents[0]]);
  });
});
