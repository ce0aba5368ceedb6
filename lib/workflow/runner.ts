/**
 * The workflow runner of one node: a loop object (start/stop) that, while the node's agent says
 * it is active, claims free runs and executes them (lib/workflow/run-execution.ts), at most the
 * node's maximum of concurrent runs at once.
 *
 * - One claim statement takes as many runs as there are free places plus a local queue of as
 *   many again, so that a place freed by a run's end goes to the next run at once, without a
 *   round trip; the queue is refilled in the background. Queued runs are this node's (owned
 *   under its epoch) like the executing ones: they are handed over, checked for loss and, when
 *   the node dies, taken over the same way.
 * - A run whose last checkpoint (its end) is being written executes no element any more: its
 *   place goes to the next run, while the run stays this node's until the write is answered.
 * - A node that stops being active (fenced, maintenance, surplus, stopping) stops taking
 *   elements, lets the element in flight end, and hands its runs over, so that an active node
 *   picks them up at its next tick.
 * - Active nodes prune finished runs past the retention, at most once a minute.
 */
import { AcknowledgedCheckpoints, reportLostWork } from '@/lib/workflow/acknowledged-checkpoints';
import { systemClock, type TClock } from '@/lib/cluster/clock';
import { CLUSTER_TEST_WORKFLOW } from '@/lib/workflow/cluster-test-workflow';
import type { TPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import {
  executeRun,
  type TExecutionContext,
  type TRunnerAgent,
  type TRunStore,
  type TWorkflow,
} from '@/lib/workflow/run-execution';
import { RunFailure } from '@/lib/workflow/run-failure';
import type { TClaimedRun, TLease } from '@/lib/workflow/run-store';

export type { TRunnerAgent, TRunStore } from '@/lib/workflow/run-execution';

/** How often an active runner looks for free runs: well within one heartbeat interval (≥ 500 ms). */
export const CLAIM_EVERY_MS = 200;
const PRUNE_EVERY_MS = 60_000;

export type TRunnerOptions = {
  store: TRunStore;
  agent: TRunnerAgent;
  node: { id: string; name: string };
  dataDir: string;
  maxConcurrentRuns: number;
  plugins: TPluginSandbox;
  /** read on each pruning pass: the setting applies without a restart */
  retentionDays: () => Promise<number>;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** the claim timer and the pruning pace; the system clock unless a test steps time */
  clock?: TClock;
};

type TLifecycle = 'idle' | 'running' | 'stopping' | 'stopped';
/** `inSlot`: the run counts against the maximum (it may still run elements) */
type THeld = { abort: AbortController; done: Promise<void>; inSlot: boolean };

export class WorkflowRunner {
  private lifecycle: TLifecycle = 'idle';
  /** the node and epoch this runner's runs are owned under; null while the node is not active */
  private lease: TLease | null = null;
  /** runs started on this node and not yet ended (executing, or their last checkpoint being written) */
  private readonly held = new Map<string, THeld>();
  /** runs claimed under `lease` that wait for a free place */
  private queued: TClaimedRun[] = [];
  private readonly workflows = new Map<string, TWorkflow>();
  private cancelTimer?: () => void;
  private ticking: Promise<void> = Promise.resolve();
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private clusterTestEnsured = false;
  /** set while handing over before the slot is given back: claim nothing */
  private handingOver = false;
  private inTick = false;
  private lastLostCheckAt = Number.NEGATIVE_INFINITY;
  /** a place was freed during a tick: claim again as soon as the tick is over */
  private wakeRequested = false;
  /** element completions the database acknowledged lately, to tell what a database failover lost */
  private readonly acknowledged = new AcknowledgedCheckpoints();
  private readonly clock: TClock;

  constructor(private readonly options: TRunnerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    if (this.lifecycle !== 'idle') throw new Error(`the workflow runner cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.schedule(0);
  }

  /** Stops claiming, ends the runs in flight after their current element, and hands them over. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'stopping';
    this.cancelTimer?.();
    await this.ticking;
    await this.drain('the node is stopping');
    this.lifecycle = 'stopped';
    await this.options.store.close().catch(() => {});
  }

  /**
   * The node is about to give its slot back (maintenance, hand-over): stop claiming, let the
   * elements in flight finish and checkpoint, and hand the runs over while the lease still holds.
   */
  async handOver(reason: string): Promise<void> {
    this.handingOver = true;
    try {
      await this.ticking;
      await this.drain(reason);
    } finally {
      this.handingOver = false;
    }
  }

  /** The shared database failed over: record the element completions acknowledged to this node that the new primary lacks. */
  reportLostWork(): Promise<void> {
    const { store, node, log } = this.options;
    return reportLostWork(this.acknowledged, { store, nodeId: node.id, log });
  }

  /** Runs started on this node and not yet ended. */
  executing(): number {
    return this.held.size;
  }

  private schedule(delayMs: number): void {
    if (this.lifecycle !== 'running') return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimer(() => {
      this.inTick = true;
      this.ticking = this.tick().finally(() => {
        this.inTick = false;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : CLAIM_EVERY_MS);
      });
    }, delayMs);
  }

  /**
   * A place was freed: claim again now instead of at the next tick, so that a queue of short
   * runs is not paced by the claim interval. Places freed together share one tick (the timer is
   * set again, not added to).
   */
  wake(): void {
    if (this.inTick) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** Runs that count against the maximum now. */
  private inSlots(): number {
    let count = 0;
    for (const run of this.held.values()) if (run.inSlot) count += 1;
    return count;
  }

  /** Every run this runner owns now: the claim must not take them again, and each is checked for loss. */
  private ownedIds(): string[] {
    return [...this.held.keys(), ...this.queued.map((run) => run.id)];
  }

  private async tick(): Promise<void> {
    const { agent, store, node, maxConcurrentRuns } = this.options;
    try {
      if (!this.clusterTestEnsured) {
        if (await store.ensureDefinition(CLUSTER_TEST_WORKFLOW, 'system'))
          this.options.log('info', `created the ${CLUSTER_TEST_WORKFLOW.name} workflow`);
        this.clusterTestEnsured = true;
      }
      if (this.handingOver) return;
      const active = agent.isActiveNow();
      const epoch = agent.status().epoch;
      if (this.lease && (!active || epoch !== this.lease.epoch))
        await this.drain(active ? `epoch ${this.lease.epoch} ended` : 'the node is not active');
      if (!active) return;
      this.lease ??= { nodeId: node.id, epoch };
      const lease = this.lease;
      // whether a run of this node was taken from it (cancelled, or owned under a newer epoch) is
      // asked at the tick's pace, not on every tick a run's end brings forward
      if (this.clock.monotonicMs() - this.lastLostCheckAt >= CLAIM_EVERY_MS) {
        this.lastLostCheckAt = this.clock.monotonicMs();
        const lost = new Set(await store.lostRuns(lease, this.ownedIds()));
        this.queued = this.queued.filter((run) => !lost.has(run.id));
        for (const id of lost) this.held.get(id)?.abort.abort();
      }
      // free places, and a local queue of as many runs as the maximum
      const room = 2 * maxConcurrentRuns - this.inSlots() - this.queued.length;
      const claimed = room > 0 ? await store.claim(lease, room, this.ownedIds()) : [];
      // the lease may have ended (and the runs been handed over) while the claim was under way
      if (this.lease === lease) this.queued.push(...claimed);
      this.startQueued();
      await this.prune(lease);
    } catch (error) {
      this.options.log('warn', `workflow runner: ${(error as Error).message}`);
    }
  }

  /** Starts queued runs while there are free places. */
  private startQueued(): void {
    const lease = this.lease;
    if (!lease || this.handingOver) return;
    let free = this.options.maxConcurrentRuns - this.inSlots();
    while (free > 0 && this.queued.length > 0) {
      this.execute(this.queued.shift()!, lease);
      free -= 1;
    }
  }

  /** Stop taking elements, wait for the ones in flight, then give every run owned under the old epoch back. */
  private async drain(reason: string): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    // queued runs are owned under the lease too: the hand-over below gives them back
    this.queued = [];
    if (!lease) return;
    for (const run of this.held.values()) run.abort.abort();
    await Promise.all([...this.held.values()].map((run) => run.done));
    try {
      const handed = await this.options.store.handOver(lease, `handed over by node ${this.options.node.name} (${reason})`);
      if (handed.length > 0) this.options.log('info', `handed ${handed.length} run(s) over: ${reason}`);
    } catch (error) {
      // they are free anyway once this node's lease has run out
      this.options.log(
        'warn',
        `could not hand runs over (${(error as Error).message}); they are taken over when the lease runs out`,
      );
    }
  }

  private async prune(lease: TLease): Promise<void> {
    if (this.clock.monotonicMs() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = this.clock.monotonicMs();
    const deleted = await this.options.store.prune(lease, await this.options.retentionDays());
    if (deleted > 0) this.options.log('info', `pruned ${deleted} finished run(s) past the retention`);
  }

  /** A place was freed: the next queued run takes it, and the queue is refilled. */
  private placeFreed(): void {
    this.startQueued();
    this.wake();
  }

  private execute(run: TClaimedRun, lease: TLease): void {
    const abort = new AbortController();
    const held: THeld = { abort, done: Promise.resolve(), inSlot: true };
    const leaveSlot = () => {
      if (!held.inSlot) return;
      held.inSlot = false;
      if (!abort.signal.aborted) this.placeFreed();
    };
    this.held.set(run.id, held);
    held.done = executeRun(this.context(leaveSlot), run, lease, abort.signal).finally(() => {
      this.held.delete(run.id);
      leaveSlot();
    });
  }

  private context(leaveSlot: () => void): TExecutionContext {
    const { store, agent, node, dataDir, plugins, log } = this.options;
    return {
      store,
      agent,
      node,
      dataDir,
      plugins,
      log,
      acknowledged: this.acknowledged,
      workflow: (name, version) => this.workflow(name, version),
      leaveSlot,
    };
  }

  private async workflow(name: string, version: number): Promise<TWorkflow> {
    const key = `${name}\u0000${version}`;
    let workflow = this.workflows.get(key);
    if (!workflow) {
      const definition = await this.options.store.definition(name, version);
      if (!definition) throw new RunFailure(`workflow "${name}" version ${version} does not exist`);
      workflow = { definition, index: new Map(definition.elements.map((element, index) => [element.id, index])) };
      this.workflows.set(key, workflow);
    }
    return workflow;
  }
}
