/**
 * The workflow runner on the injected timeline with an in-memory run store that keeps the rules
 * of RunStore's SQL: a checkpoint changes nothing unless the run is owned under the lease given.
 * No database, no sleeping; the integration tests (workflow-failover.test.ts and others) prove
 * the same on real nodes.
 */
import { describe, expect, it } from 'vitest';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';
import type { TCheckpoint, TClaimedRun, TLease, TRunEventInput } from '@/lib/workflow/run-store';
import { CLAIM_EVERY_MS, MAX_QUEUE, WorkflowRunner, type TRunStore } from '@/lib/workflow/runner';
import type { TPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import { Timeline } from '../helpers/fake-cluster';
import { pollUntil } from '../helpers/poll';

type TFakeRun = {
  id: string;
  workflowName: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  elementId: string;
  variables: Record<string, unknown>;
  owner: TLease | null;
  step: number;
  events: TRunEventInput[];
  error: string | null;
};

const sameLease = (a: TLease | null, b: TLease) => !!a && a.nodeId === b.nodeId && a.epoch === b.epoch;

class FakeRunStore implements TRunStore {
  readonly runs = new Map<string, TFakeRun>();
  readonly definitions = new Map<string, TWorkflowDefinition>();
  readonly handOvers: { lease: TLease; message: string; runs: string[] }[] = [];
  /** what lock() answers */
  lockAnswer: 'held' | 'busy' | 'lost' = 'held';
  /** the runs that asked for a lock, one entry per call */
  readonly lockCalls: string[] = [];
  /** how many runs each claim asked for */
  readonly claimLimits: number[] = [];

  addRun(id: string, workflowName: string): void {
    this.runs.set(id, {
      id,
      workflowName,
      status: 'RUNNING',
      elementId: this.definitions.get(workflowName)?.elements[0].id ?? 'start',
      variables: {},
      owner: null,
      step: 0,
      events: [],
      error: null,
    });
  }

  async claim(lease: TLease, limit: number, executing: string[]): Promise<TClaimedRun[]> {
    this.claimLimits.push(limit);
    const free = [...this.runs.values()]
      .filter((run) => run.status === 'RUNNING' && run.owner === null && !executing.includes(run.id))
      .slice(0, Math.max(0, limit));
    return free.map((run) => {
      run.owner = lease;
      return {
        id: run.id,
        workflowName: run.workflowName,
        workflowVersion: 1,
        variables: run.variables as TClaimedRun['variables'],
        elementId: run.elementId,
        attempt: 1,
        step: run.step,
        retries: 0,
        previousNode: null,
        previousNodeName: null,
        previousEpoch: null,
      };
    });
  }

  async checkpoint(
    lease: TLease,
    checkpoint: TCheckpoint,
  ): Promise<{ wakeInMs: number | null; step: number; eventId: string | null } | null> {
    const run = this.runs.get(checkpoint.runId);
    // as the SQL: zero rows unless the run is still owned under this lease
    if (!run || run.status !== 'RUNNING' || !sameLease(run.owner, lease)) return null;
    Object.assign(run, {
      status: checkpoint.status,
      elementId: checkpoint.elementId,
      variables: checkpoint.variables,
      step: run.step + 1,
      error: checkpoint.error ?? null,
    });
    run.events.push(...checkpoint.events);
    if (checkpoint.status !== 'RUNNING') run.owner = null;
    return { wakeInMs: null, step: run.step, eventId: String(run.events.length) };
  }

  async failRun(lease: TLease, runId: string, reason: string): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run || !sameLease(run.owner, lease)) return false;
    Object.assign(run, { status: 'FAILED', error: reason, owner: null });
    return true;
  }

  async lock(_lease: TLease, runId: string): Promise<'held' | 'busy' | 'lost'> {
    this.lockCalls.push(runId);
    return this.lockAnswer;
  }

  async handOver(lease: TLease, message: string): Promise<string[]> {
    const handed = [...this.runs.values()].filter((run) => run.status === 'RUNNING' && sameLease(run.owner, lease));
    for (const run of handed) run.owner = null;
    this.handOvers.push({ lease, message, runs: handed.map((run) => run.id) });
    return handed.map((run) => run.id);
  }

  async lostRuns(lease: TLease, runIds: string[]): Promise<string[]> {
    return runIds.filter((id) => !sameLease(this.runs.get(id)?.owner ?? null, lease));
  }

  async definition(name: string): Promise<TWorkflowDefinition | undefined> {
    return this.definitions.get(name);
  }

  async prune(): Promise<number> {
    return 0;
  }

  async ensureDefinition(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}

  /** a database failover is not part of these tests: every checkpoint is still there */
  async heldCheckpoints(
    _nodeId: string,
    checkpoints: { runId: string; eventId: string }[],
  ): Promise<{ events: Set<string>; runs: Set<string> }> {
    return {
      events: new Set(checkpoints.map((checkpoint) => checkpoint.eventId)),
      runs: new Set(checkpoints.map((checkpoint) => checkpoint.runId)),
    };
  }

  async recordLostWork(): Promise<void> {}

  /** these workflows use no secret("name") */
  async sealedSecrets(): Promise<{ name: string; sealed: string; keyId: string }[]> {
    return [];
  }
}

const COUNTER: TWorkflowDefinition = {
  name: 'counter',
  description: '',
  inputs: [],
  elements: [
    { id: 'start', type: 'set', variable: 'n', expression: '1' },
    { id: 'again', type: 'set', variable: 'n', expression: 'n + 1' },
    { id: 'check', type: 'decision', condition: 'n < 3', then: 'again', else: 'done' },
    { id: 'done', type: 'end' },
  ],
};

const LOCKED: TWorkflowDefinition = {
  name: 'locked',
  description: '',
  inputs: [],
  elements: [
    { id: 'take', type: 'lock', resource: 'printer' },
    { id: 'done', type: 'end' },
  ],
};

function setUp() {
  const timeline = new Timeline();
  const store = new FakeRunStore();
  store.definitions.set(COUNTER.name, COUNTER);
  store.definitions.set(LOCKED.name, LOCKED);
  const agent = { active: false, epoch: 0, isActiveNow: () => agent.active, status: () => ({ epoch: agent.epoch }) };
  const logged: { level: string; message: string }[] = [];
  const plugins: TPluginSandbox = { call: async () => undefined, close: () => {}, errors: [] };
  const runner = new WorkflowRunner({
    store,
    agent,
    node: { id: 'n1', name: 'n1' },
    dataDir: '/nowhere',
    maxConcurrentRuns: 4,
    plugins,
    retentionDays: async () => 30,
    log: (level, message) => logged.push({ level, message }),
    clock: timeline.clock('n1'),
  });
  return { timeline, store, agent, runner, logged };
}

describe('workflow runner (injected clock and store)', () => {
  it('claims nothing while the node is standby, then runs a run to its end under its epoch once active', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.addRun('r1', 'counter');
    runner.start();
    await timeline.advance(5 * CLAIM_EVERY_MS);
    expect(store.runs.get('r1')!.owner).toBeNull();

    Object.assign(agent, { active: true, epoch: 4 });
    await timeline.advance(2 * CLAIM_EVERY_MS);
    const run = store.runs.get('r1')!;
    expect(run.status).toBe('COMPLETED');
    expect(run.variables).toEqual({ n: 3 });
    expect(run.events.map((event) => event.kind)).toEqual([
      'STARTED',
      'ELEMENT',
      'ELEMENT',
      'ELEMENT',
      'ELEMENT',
      'ELEMENT',
      'ELEMENT',
      'COMPLETED',
    ]);
    expect(run.events[0].message).toBe('started on node n1, epoch 4');
    await runner.stop();
  });

  it('fails a run for good when its workflow does not exist (a RunFailure)', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.addRun('r1', 'gone');
    Object.assign(agent, { active: true, epoch: 1 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(store.runs.get('r1')).toMatchObject({ status: 'FAILED', error: 'workflow "gone" version 1 does not exist' });
    await runner.stop();
  });

  it('stops the element in flight and hands its runs over when the node stops being active', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.lockAnswer = 'busy'; // the run waits at its lock element
    store.addRun('r1', 'locked');
    Object.assign(agent, { active: true, epoch: 2 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(1);
    expect(store.runs.get('r1')!.owner).toEqual({ nodeId: 'n1', epoch: 2 });

    agent.active = false;
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(0);
    expect(store.handOvers).toEqual([
      { lease: { nodeId: 'n1', epoch: 2 }, message: 'handed over by node n1 (the node is not active)', runs: ['r1'] },
    ]);
    expect(store.runs.get('r1')).toMatchObject({ status: 'RUNNING', owner: null, elementId: 'take' });
    await runner.stop();
  });

  it('drops a run another owner took (its checkpoint changes nothing) without failing it', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.lockAnswer = 'busy';
    store.addRun('r1', 'locked');
    Object.assign(agent, { active: true, epoch: 2 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(1);
    store.runs.get('r1')!.owner = { nodeId: 'n2', epoch: 3 }; // taken over after this node's lease ran out
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(0);
    expect(store.runs.get('r1')).toMatchObject({ status: 'RUNNING', owner: { nodeId: 'n2', epoch: 3 } });
    await runner.stop();
  });

  it('stop() waits for the element in flight, hands the runs over and takes nothing more', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.lockAnswer = 'busy';
    store.addRun('r1', 'locked');
    Object.assign(agent, { active: true, epoch: 5 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    await runner.stop();
    expect(runner.executing()).toBe(0);
    expect(store.handOvers.map((handOver) => handOver.message)).toEqual(['handed over by node n1 (the node is stopping)']);
    store.lockAnswer = 'held';
    store.addRun('r2', 'counter');
    await timeline.advance(10 * CLAIM_EVERY_MS);
    expect(store.runs.get('r2')!.owner).toBeNull();
    expect(store.runs.get('r1')!.owner).toBeNull();
  });
  it('claims a local queue beyond its places, runs at most its maximum at once, and hands queued runs over too', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.lockAnswer = 'busy'; // every run waits at its lock element, holding its place
    for (let i = 1; i <= 10; i += 1) store.addRun(`r${i}`, 'locked');
    Object.assign(agent, { active: true, epoch: 3 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(4);
    const owned = () => [...store.runs.values()].filter((run) => run.owner !== null).map((run) => run.id);
    // four executing and four queued, owned under the epoch; the rest left for other nodes
    expect(owned()).toHaveLength(8);

    agent.active = false;
    await timeline.advance(2 * CLAIM_EVERY_MS);
    expect(runner.executing()).toBe(0);
    expect(store.handOvers).toHaveLength(1);
    expect(store.handOvers[0].runs.sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'].sort());
    expect(owned()).toEqual([]);
    await runner.stop();
  });

  it('completes many more runs than its places, each exactly once', async () => {
    const { timeline, store, agent, runner } = setUp();
    for (let i = 1; i <= 30; i += 1) store.addRun(`r${i}`, 'counter');
    Object.assign(agent, { active: true, epoch: 1 });
    runner.start();
    await timeline.advance(10 * CLAIM_EVERY_MS);
    for (const run of store.runs.values()) {
      expect(run.status).toBe('COMPLETED');
      expect(run.events.filter((event) => event.kind === 'COMPLETED')).toHaveLength(1);
      expect(run.events.filter((event) => event.kind === 'STARTED')).toHaveLength(1);
    }
    await runner.stop();
  });

  it('grows its local queue while short runs empty it faster than a claim comes back, up to MAX_QUEUE, each run once', async () => {
    const { timeline, store, agent, runner } = setUp();
    for (let i = 1; i <= 600; i += 1) store.addRun(`r${i}`, 'counter');
    Object.assign(agent, { active: true, epoch: 2 });
    runner.start();
    await pollUntil(
      async () => {
        await timeline.advance(CLAIM_EVERY_MS);
        return [...store.runs.values()].every((run) => run.status === 'COMPLETED');
      },
      { what: 'every run completed' },
    );
    // four places: claims began at 8 (places and a queue of four) and asked for more once the queue ran dry
    expect(store.claimLimits[0]).toBe(8);
    expect(Math.max(...store.claimLimits)).toBeGreaterThan(8);
    expect(Math.max(...store.claimLimits)).toBeLessThanOrEqual(4 + MAX_QUEUE);
    for (const run of store.runs.values()) {
      expect(run.events.filter((event) => event.kind === 'COMPLETED')).toHaveLength(1);
      expect(run.events.filter((event) => event.kind === 'STARTED')).toHaveLength(1);
    }
    await runner.stop();
  });

  it('starts queued runs (their first checkpoint) while they wait, and runs their elements only once they have a place', async () => {
    const { timeline, store, agent, runner } = setUp();
    store.lockAnswer = 'busy'; // the first four runs wait at their lock element, holding their places
    for (let i = 1; i <= 10; i += 1) store.addRun(`r${i}`, 'locked');
    Object.assign(agent, { active: true, epoch: 6 });
    runner.start();
    await timeline.advance(2 * CLAIM_EVERY_MS);
    const owned = [...store.runs.values()].filter((run) => run.owner !== null);
    expect(owned).toHaveLength(8);
    // all eight started under the epoch: the queued ones before any element of theirs ran
    for (const run of owned) {
      expect(run.step).toBe(1);
      expect(run.events.map((event) => event.kind)).toEqual(['STARTED', 'ELEMENT']);
    }
    expect(runner.executing()).toBe(4);
    expect(new Set(store.lockCalls).size).toBe(4);

    // the locks come free: each place goes to the next queued run, every run ends exactly once
    store.lockAnswer = 'held';
    // the busy locks are asked again after a real retry delay (run-element's waitFor), not on the timeline
    await pollUntil(
      async () => {
        await timeline.advance(CLAIM_EVERY_MS);
        return [...store.runs.values()].every((run) => run.status === 'COMPLETED');
      },
      { what: 'every run completed' },
    );
    for (const run of store.runs.values()) {
      expect(run.status).toBe('COMPLETED');
      expect(run.events.map((event) => event.kind)).toEqual(['STARTED', 'ELEMENT', 'ELEMENT', 'COMPLETED']);
    }
    expect(runner.executing()).toBe(0);
    await runner.stop();
  });
});
