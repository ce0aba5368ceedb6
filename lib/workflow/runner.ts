/**
 * The workflow runner of one node: a loop object (start/stop) that, while the node's agent says
 * it is active, claims free runs and executes them (lib/workflow/run-execution.ts), at most the
 * node's maximum of concurrent runs at once.
 *
 * - One claim statement takes as many runs as there are free places plus a local queue of as
 *   many again, so that a place freed by a run's end goes to the next run at once, without a
 *   round trip; the queue is refilled in the background. When runs end faster than a claim comes
 *   back (the queue ran dry and freed places waited for the claim), the queue grows, doubling
 *   up to MAX_QUEUE runs, and shrinks back to the maximum once it stays well filled: a claim
 *   then covers the runs that end during its own round trip. Queued runs are this node's (owned
 *   under its epoch) like the executing ones: they are handed over, checked for loss and, when
 *   the node dies, taken over the same way.
 * - A claimed run is started at once: its first checkpoint (the element it starts at, under the
 *   epoch) is written while it waits in the queue, batched with the other runs' checkpoints, so
 *   that it runs its first element as soon as it has a place, without a round trip in the place.
 *   No element runs before its checkpoint is durable, as before.
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
  prepareWorkflow,
  type TExecutionContext,
  type TRunnerAgent,
  type TRunStore,
  type TWorkflow,
} from '@/lib/workflow/run-execution';
import { RunFailure } from '@/lib/workflow/run-failure';
import type { TClaimedRun, TClaimStarts, TLease } from '@/lib/workflow/run-store';

export type { TRunnerAgent, TRunStore } from '@/lib/workflow/run-execution';

/** How often an active runner looks for free runs: well within one heartbeat interval (≥ 500 ms). */
export const CLAIM_EVERY_MS = 200;
const PRUNE_EVERY_MS = 60_000;
/**
 * The local queue's length at most, whatever the maximum of concurrent runs: more runs per claim
 * for very short runs, while a node still leaves the rest of the pending runs to other active
 * nodes. A queued run is owned and started like an executing one (taken over as one when the node
 * dies), so the queue is kept no longer than the runs' pace needs.
 */
export const MAX_QUEUE = 64;
/** workflow versions whose fresh runs a claim starts itself, at most */
const MAX_CLAIM_STARTS = 64;

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
/**
 * Where a run of this node is: `queued` (claimed, being started or started, waiting for a place),
 * `placed` (it holds one of the places: it may run elements), `ending` (its last checkpoint is
 * being written; it runs no element any more).
 */
type THeld = { abort: AbortController; done: Promise<void>; phase: 'queued' | 'placed' | 'ending' };

export class WorkflowRunner {
  private lifecycle: TLifecycle = 'idle';
  /** the node and epoch this runner's runs are owned under; null while the node is not active */
  private lease: TLease | null = null;
  /** runs claimed by this node under `lease` and not yet ended: queued, placed or ending */
  private readonly held = new Map<string, THeld>();
  /** queued runs that asked for a place, first come first served: each is given `true` with its place, or `false` when stopped */
  private waiting: { held: THeld; grant: (placed: boolean) => void }[] = [];
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
  /** the local queue's length now: from the maximum of concurrent runs up to MAX_QUEUE (see queueAfterClaim) */
  private queueLength: number;
  /** places given to queued runs so far, and at the last claim's return: how fast the queue empties */
  private placesGiven = 0;
  private placesGivenAtClaim = 0;

  constructor(private readonly options: TRunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.queueLength = options.maxConcurrentRuns;
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

  /** Runs of this node that hold a place or are ending (not those waiting in the queue). */
  executing(): number {
    return this.count('placed', 'ending');
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

  /** Runs in the given phases now. */
  private count(...phases: THeld['phase'][]): number {
    let count = 0;
    for (const run of this.held.values()) if (phases.includes(run.phase)) count += 1;
    return count;
  }

  /** Every run this runner owns now: the claim must not take them again, and each is checked for loss. */
  private ownedIds(): string[] {
    return [...this.held.keys()];
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
      const owned = this.ownedIds();
      // whether a run of this node was taken from it (cancelled, or owned under a newer epoch) is
      // asked at the tick's pace, not on every tick a run's end brings forward; beside the claim,
      // not before it, so that the claim waits for no other round trip
      let lostCheck: Promise<void> = Promise.resolve();
      if (this.clock.monotonicMs() - this.lastLostCheckAt >= CLAIM_EVERY_MS) {
        this.lastLostCheckAt = this.clock.monotonicMs();
        lostCheck = store.lostRuns(lease, owned).then(
          (lost) => {
            for (const id of lost) this.held.get(id)?.abort.abort();
          },
          // asked again at the next tick; the runs the claim returns are executed all the same
          (error: Error) => this.options.log('warn', `workflow runner: ${error.message}`),
        );
      }
      // free places, and the local queue
      const room = maxConcurrentRuns + this.queueLength - this.count('queued', 'placed');
      const [claimed] = await Promise.all([room > 0 ? store.claim(lease, room, owned, this.claimStarts()) : [], lostCheck]);
      if (room > 0) this.queueAfterClaim(claimed.length === room);
      // the lease may have ended (and the runs been handed over) while the claim was under way
      if (this.lease === lease && !this.handingOver) for (const run of claimed) this.execute(run, lease);
      await this.prune(lease);
    } catch (error) {
      this.options.log('warn', `workflow runner: ${(error as Error).message}`);
    }
  }

  /**
   * After a claim came back: when it got every run it asked for and finds the queue empty and
   * places free although at least a whole queue took places since the previous claim came back
   * (runs end faster than a claim comes back: freed places waited for it), the queue doubles; a
   * queue still more than half full halves, down to the maximum of concurrent runs. Long runs keep
   * it at the maximum; a stream of very short runs grows it until a claim covers the runs that end
   * during its own round trip.
   */
  private queueAfterClaim(gotAll: boolean): void {
    const { maxConcurrentRuns } = this.options;
    const placed = this.placesGiven - this.placesGivenAtClaim;
    this.placesGivenAtClaim = this.placesGiven;
    const starved = this.count('queued') === 0 && this.count('placed') < maxConcurrentRuns;
    if (gotAll && starved && placed >= this.queueLength)
      this.queueLength = Math.min(Math.max(maxConcurrentRuns, MAX_QUEUE), this.queueLength * 2);
    else if (this.count('queued') > this.queueLength / 2)
      this.queueLength = Math.max(maxConcurrentRuns, Math.floor(this.queueLength / 2));
  }

  /** The workflows whose fresh runs the claim may start itself: those this runner has run, with a start known in advance. */
  private claimStarts(): TClaimStarts {
    const workflows: TClaimStarts['workflows'] = [];
    // the ones cached last, a few dozen at most: the list goes with every claim
    for (const { definition, version, start } of [...this.workflows.values()].reverse()) {
      if (workflows.length >= MAX_CLAIM_STARTS) break;
      if (start) workflows.push({ name: definition.name, version, ...start });
    }
    return { nodeName: this.options.node.name, workflows };
  }

  /** A queued run asks for a place: given at once when one is free and no run asked before it. */
  private takePlace(held: THeld): Promise<boolean> {
    if (held.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((grant) => {
      this.waiting.push({ held, grant });
      held.abort.signal.addEventListener('abort', () => this.givePlaces(), { once: true });
      this.givePlaces();
    });
  }

  /** Free places go to the runs waiting for one, in the order they asked; a stopped run is answered `false`. */
  private givePlaces(): void {
    let free = this.options.maxConcurrentRuns - this.count('placed');
    const still: typeof this.waiting = [];
    for (const waiter of this.waiting) {
      if (waiter.held.abort.signal.aborted) waiter.grant(false);
      else if (free > 0 && !this.handingOver && this.lease) {
        waiter.held.phase = 'placed';
        this.placesGiven += 1;
        waiter.grant(true);
        free -= 1;
      } else still.push(waiter);
    }
    this.waiting = still;
  }

  /** Stop taking elements, wait for the ones in flight, then give every run owned under the old epoch back. */
  private async drain(reason: string): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    if (!lease) return;
    // queued runs are owned under the lease too: they stop waiting, and the hand-over below gives them back
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

  /** Starts a claimed run: its first checkpoint is written now; its elements run once it has a place. */
  private execute(run: TClaimedRun, lease: TLease): void {
    const abort = new AbortController();
    const held: THeld = { abort, done: Promise.resolve(), phase: 'queued' };
    const leaveSlot = () => {
      if (held.phase === 'ending') return;
      const placed = held.phase === 'placed';
      held.phase = 'ending';
      // the next queued run takes the place, and the queue is refilled
      if (placed) this.givePlaces();
      if (!abort.signal.aborted) this.wake();
    };
    this.held.set(run.id, held);
    held.done = executeRun(
      this.context(leaveSlot, () => this.takePlace(held)),
      run,
      lease,
      abort.signal,
    ).finally(() => {
      this.held.delete(run.id);
      leaveSlot();
    });
  }

  private context(leaveSlot: () => void, takePlace: () => Promise<boolean>): TExecutionContext {
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
      takePlace,
      leaveSlot,
    };
  }

  private async workflow(name: string, version: number): Promise<TWorkflow> {
    const key = `${name}\u0000${version}`;
    let workflow = this.workflows.get(key);
    if (!workflow) {
      const definition = await this.options.store.definition(name, version);
      if (!definition) throw new RunFailure(`workflow "${name}" version ${version} does not exist`);
      workflow = prepareWorkflow(definition, version);
      this.workflows.set(key, workflow);
    }
    return workflow;
  }
}
