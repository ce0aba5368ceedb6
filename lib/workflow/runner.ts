/**
 * The workflow runner of one node: a loop object (start/stop) that, while the node's agent says
 * it is active, claims free runs up to the node's maximum and executes them element by element.
 *
 * - Before each element the run is checkpointed under the owner's epoch (RunStore.checkpoint); a
 *   write that changes nothing means the run is not ours any more, and it is dropped at once.
 * - The agent's own lease check (isActiveNow) is asked before each element and right before any
 *   effect outside the database, so a node that was frozen past its window wakes up fenced and
 *   does nothing more for its former runs.
 * - A node that stops being active (fenced, maintenance, surplus, stopping) stops taking
 *   elements, lets the element in flight end, and hands its runs over, so that an active node
 *   picks them up at its next tick.
 * - Active nodes prune finished runs past the retention, at most once a minute.
 */
import { AcknowledgedCheckpoints, describeLostWork, missingAfterFailover } from '@/lib/workflow/acknowledged-checkpoints';
import { systemClock, type TClock } from '@/lib/cluster/clock';
import type { TVariables } from '@/lib/workflow/expression/evaluate';
import { CLUSTER_TEST_WORKFLOW } from '@/lib/workflow/cluster-test-workflow';
import { byteLength, describeBytes, logSafe, MAX_ELEMENT_RETRIES, MAX_VARIABLES_BYTES } from '@/lib/workflow/limits';
import type { TPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import { ElementError, planElement, runElement, type TElementOutcome, type TElementPlan } from '@/lib/workflow/run-element';
import { failsTheRun, RunFailure } from '@/lib/workflow/run-failure';
import {
  isPermanentDatabaseError,
  type RunStore,
  type TCheckpoint,
  type TClaimedRun,
  type TLease,
  type TRunEventInput,
} from '@/lib/workflow/run-store';
import type { TElement, TWorkflowDefinition } from '@/lib/workflow/schemas';

/** How often an active runner looks for free runs: well within one heartbeat interval (≥ 500 ms). */
export const CLAIM_EVERY_MS = 200;
const LOCK_RETRY_MS = 200;
const PRUNE_EVERY_MS = 60_000;

export type TRunnerAgent = { isActiveNow(): boolean; status(): { epoch: number } };

/** What the runner needs of the database: RunStore on PostgreSQL, an in-memory one in unit tests. */
export type TRunStore = Pick<
  RunStore,
  | 'claim'
  | 'checkpoint'
  | 'failRun'
  | 'lock'
  | 'handOver'
  | 'lostRuns'
  | 'definition'
  | 'prune'
  | 'ensureDefinition'
  | 'close'
  | 'heldCheckpoints'
  | 'recordLostWork'
  | 'sealedSecrets'
>;

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
type THeld = { abort: AbortController; done: Promise<void> };
type TWorkflow = { definition: TWorkflowDefinition; index: Map<string, number> };
type TDone = Extract<TElementOutcome, { kind: 'done' }>;

/** The database refused a run's checkpoint for good: retrying would fail the same way. */
class CheckpointRefusedError extends Error {
  /** `what`: which checkpoint, e.g. `after element "call"` */
  constructor(what: string, cause: Error) {
    super(`the database refused the checkpoint ${what} (${cause.message})`, { cause });
  }
}

/** The variables after an element, refused over the cap before they reach a checkpoint. */
function checkVariables(element: TElement, variables: TVariables): void {
  let json: string;
  try {
    json = JSON.stringify(variables);
  } catch (error) {
    throw new ElementError(element, `the run's variables cannot be written as JSON (${(error as Error).message})`);
  }
  const bytes = byteLength(json);
  if (bytes > MAX_VARIABLES_BYTES) {
    throw new ElementError(
      element,
      `the run's variables would be ${bytes} bytes as JSON; they are at most ${describeBytes(MAX_VARIABLES_BYTES)} (${MAX_VARIABLES_BYTES} bytes)`,
    );
  }
}

export class WorkflowRunner {
  private lifecycle: TLifecycle = 'idle';
  /** the node and epoch this runner's runs are owned under; null while the node is not active */
  private lease: TLease | null = null;
  private readonly held = new Map<string, THeld>();
  private readonly workflows = new Map<string, TWorkflow>();
  private cancelTimer?: () => void;
  private ticking: Promise<void> = Promise.resolve();
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private clusterTestEnsured = false;
  /** set while handing over before the slot is given back: claim nothing */
  private handingOver = false;
  private inTick = false;
  private lastLostCheckAt = Number.NEGATIVE_INFINITY;
  /** a run ended during a tick: claim again as soon as the tick is over */
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

  /**
   * The shared database failed over: compare what the old primary acknowledged to this runner
   * with what the new primary has, and record the elements that will run again (asynchronous
   * replication loses the last commits), so that the loss shows. Nothing lost, nothing recorded.
   */
  async reportLostWork(): Promise<void> {
    const { store, node, log } = this.options;
    const acknowledged = this.acknowledged.take();
    if (acknowledged.length === 0) return;
    const lost = missingAfterFailover(acknowledged, await store.heldCheckpoints(node.id, acknowledged));
    if (lost.length === 0) {
      log('info', 'database failover: every element completion acknowledged to this node is on the new primary');
      return;
    }
    const message = describeLostWork(lost);
    log('warn', `database failover: ${message}`);
    await store.recordLostWork(node.id, {
      message,
      elements: lost.slice(0, 200).map(({ runId, workflowName, elementId, step, runLost }) => ({
        runId,
        workflow: workflowName,
        elementId,
        step,
        runLost,
      })),
    });
  }

  /** Runs executing on this node now. */
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
   * A run ended and freed a place: claim the next one now instead of at the next tick, so that a
   * queue of short runs is not paced by the claim interval. Ends that come together share one
   * tick (the timer is set again, not added to).
   */
  wake(): void {
    if (this.inTick) this.wakeRequested = true;
    else this.schedule(0);
  }

  private async tick(): Promise<void> {
    const { agent, store, node } = this.options;
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
      // whether a run in flight was taken from this node (cancelled, or owned under a newer epoch)
      // is asked at the tick's pace, not on every tick a run's end brings forward
      if (this.clock.monotonicMs() - this.lastLostCheckAt >= CLAIM_EVERY_MS) {
        this.lastLostCheckAt = this.clock.monotonicMs();
        for (const id of await store.lostRuns(lease, [...this.held.keys()])) this.held.get(id)?.abort.abort();
      }
      const room = this.options.maxConcurrentRuns - this.held.size;
      const claimed = room > 0 ? await store.claim(lease, room, [...this.held.keys()]) : [];
      for (const run of claimed) this.execute(run, lease);
      await this.prune(lease);
    } catch (error) {
      this.options.log('warn', `workflow runner: ${(error as Error).message}`);
    }
  }

  /** Stop taking elements, wait for the ones in flight, then give every run owned under the old epoch back. */
  private async drain(reason: string): Promise<void> {
    const lease = this.lease;
    this.lease = null;
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

  private execute(run: TClaimedRun, lease: TLease): void {
    const abort = new AbortController();
    const done = this.runToEnd(run, lease, abort.signal)
      .catch(async (error) => {
        if (error instanceof CheckpointRefusedError) {
          // the refused data is not written again: the run ends with the variables it last stored
          this.options.log('warn', `run ${run.id}: ${error.message}; the run fails`);
          await this.options.store.failRun(lease, run.id, logSafe(error.message)).catch((failure) => {
            this.options.log('warn', `run ${run.id}: could not be failed (${(failure as Error).message}); it is taken up again`);
          });
          return;
        }
        // a database error: the run stays ours, and the next tick takes it up again as a resume
        // (counted in its retries, so not for ever)
        this.options.log('warn', `run ${run.id}: ${(error as Error).message}; it is taken up again`);
      })
      .finally(() => {
        this.held.delete(run.id);
        if (!abort.signal.aborted) this.wake();
      });
    this.held.set(run.id, { abort, done });
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

  private async runToEnd(run: TClaimedRun, lease: TLease, signal: AbortSignal): Promise<void> {
    const { store, agent, node } = this.options;
    /** `after`: the element whose outcome this checkpoint records, if it records one */
    const save = async (checkpoint: TCheckpoint, after?: TElement) => {
      try {
        const saved = await store.checkpoint(lease, checkpoint);
        if (saved?.eventId && after)
          this.acknowledged.record({
            runId: run.id,
            workflowName: run.workflowName,
            step: saved.step,
            elementId: after.id,
            eventId: saved.eventId,
            epoch: lease.epoch,
          });
        return saved;
      } catch (error) {
        if (isPermanentDatabaseError(error))
          throw new CheckpointRefusedError(after ? `after element "${after.id}"` : `of element "${checkpoint.elementId}"`, error);
        throw error;
      }
    };
    const fail = async (error: RunFailure, variables: TVariables, elementId: string, attempt: number, outcome?: TDone) => {
      const reason = logSafe(error.message);
      await save({
        runId: run.id,
        status: 'FAILED',
        elementId,
        attempt,
        variables,
        events: [{ kind: 'FAILED', element_id: elementId, attempt, message: reason }],
        serverLog: outcome?.serverLog ? { ...outcome.serverLog, elementId } : null,
        error: reason,
      });
    };

    if (run.retries > MAX_ELEMENT_RETRIES) {
      const reason = `element "${run.elementId}" was taken up again ${run.retries} times without completing (its node stopped, or its checkpoint failed, each time); a run is retried at most ${MAX_ELEMENT_RETRIES} times at one element`;
      this.options.log('warn', `run ${run.id}: ${reason}; the run fails`);
      await store.failRun(lease, run.id, reason);
      return;
    }

    let workflow: TWorkflow;
    try {
      workflow = await this.workflow(run.workflowName, run.workflowVersion);
    } catch (error) {
      if (failsTheRun(error)) return fail(error, run.variables, run.elementId, run.attempt);
      throw error;
    }
    const elementAt = (id: string): TElement | undefined => {
      const index = workflow.index.get(id);
      return index === undefined ? undefined : workflow.definition.elements[index];
    };

    // the first checkpoint under this owner: the element the run is at starts (again)
    const resumed = run.step > 0;
    let attempt = resumed ? run.attempt + 1 : 1;
    let variables = run.variables;
    const current = elementAt(run.elementId);
    if (!current) return fail(new RunFailure(`element "${run.elementId}" does not exist`), variables, run.elementId, attempt);
    let element: TElement = current;
    const opening: TRunEventInput[] = resumed
      ? [
          {
            kind: 'RESUMED',
            element_id: element.id,
            attempt,
            message: `resumed by node ${node.name} at element ${element.id}, attempt ${attempt}, epoch ${lease.epoch}`,
            details: { previousNode: run.previousNode, previousNodeName: run.previousNodeName, previousEpoch: run.previousEpoch },
          },
        ]
      : [{ kind: 'STARTED', message: `started on node ${node.name}, epoch ${lease.epoch}` }];
    let plan: TElementPlan;
    try {
      plan = planElement(element, variables);
    } catch (error) {
      if (failsTheRun(error)) return fail(error, variables, element.id, attempt);
      throw error;
    }
    let checkpoint = await save({
      runId: run.id,
      status: 'RUNNING',
      elementId: element.id,
      attempt,
      variables,
      sleepMs: plan.sleepMs,
      resumed,
      events: [...opening, elementEvent(element, attempt, plan)],
    });
    if (!checkpoint) return;
    if (resumed) this.options.log('info', `run ${run.id}: ${opening[0].message}`);

    for (;;) {
      if (signal.aborted || !agent.isActiveNow()) return;
      let outcome: TElementOutcome;
      try {
        outcome = await runElement(element, {
          runId: run.id,
          dataDir: this.options.dataDir,
          variables,
          plan,
          wakeInMs: checkpoint.wakeInMs,
          signal,
          plugins: this.options.plugins,
          isActive: () => agent.isActiveNow(),
          lock: (resource) => store.lock(lease, run.id, resource),
          lockRetryMs: LOCK_RETRY_MS,
          sealedSecrets: (names) => store.sealedSecrets(names),
        });
      } catch (error) {
        if (failsTheRun(error)) return fail(error, variables, element.id, attempt);
        throw error;
      }
      if (outcome.kind === 'dropped') return;
      try {
        checkVariables(element, outcome.variables);
      } catch (error) {
        // the run ends with the variables it had before this element
        if (failsTheRun(error)) return fail(error, variables, element.id, attempt);
        throw error;
      }

      const nextId: string | null =
        outcome.next === undefined
          ? (workflow.definition.elements[workflow.index.get(element.id)! + 1]?.id ?? null)
          : outcome.next;
      const next: TElement | undefined = nextId === null ? undefined : elementAt(nextId);
      const effects = {
        serverLog: outcome.serverLog ? { ...outcome.serverLog, elementId: element.id } : null,
        unlock: outcome.unlock ?? null,
      };
      if (nextId === null || next?.type === 'end') {
        // the end: completed with the element's effects; every lock the run still holds goes with it
        const events: TRunEventInput[] = next ? [elementEvent(next, 1, { message: null, sleepMs: null, details: {} })] : [];
        events.push({ kind: 'COMPLETED', element_id: next?.id ?? element.id, message: `completed on node ${node.name}` });
        await save(
          {
            runId: run.id,
            status: 'COMPLETED',
            elementId: next?.id ?? element.id,
            attempt: 1,
            variables: outcome.variables,
            events,
            ...effects,
          },
          element,
        );
        return;
      }
      if (!next)
        return fail(
          new ElementError(element, `the next element "${nextId}" does not exist`),
          outcome.variables,
          element.id,
          attempt,
          outcome,
        );
      try {
        plan = planElement(next, outcome.variables);
      } catch (error) {
        if (failsTheRun(error)) return fail(error, outcome.variables, next.id, 1, outcome);
        throw error;
      }
      checkpoint = await save(
        {
          runId: run.id,
          status: 'RUNNING',
          elementId: next.id,
          attempt: 1,
          variables: outcome.variables,
          sleepMs: plan.sleepMs,
          events: [elementEvent(next, 1, plan)],
          ...effects,
        },
        element,
      );
      if (!checkpoint) return;
      element = next;
      variables = outcome.variables;
      attempt = 1;
    }
  }
}

function elementEvent(element: TElement, attempt: number, plan: TElementPlan): TRunEventInput {
  return {
    kind: 'ELEMENT',
    element_id: element.id,
    attempt,
    message: plan.message ?? undefined,
    details: { type: element.type, ...plan.details },
  };
}
