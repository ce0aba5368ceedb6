/**
 * One run on one node, from its claim to its end (or until it is no longer this node's): before
 * each element the run is checkpointed under the owner's epoch (RunStore.checkpoint); a write
 * that changes nothing means the run is not this node's any more, and it is dropped at once. The
 * agent's own lease check (isActiveNow) is asked before each element and right before any effect
 * outside the database (lib/workflow/run-element.ts), so a node that was frozen past its window
 * wakes up fenced and does nothing more for its former runs.
 */
import type { AcknowledgedCheckpoints } from '@/lib/workflow/acknowledged-checkpoints';
import type { TVariables } from '@/lib/workflow/expression/evaluate';
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

const LOCK_RETRY_MS = 200;

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

/**
 * `start`: the first element and its ELEMENT event's details when they are the same whatever the
 * variables (not a log or sleep element): the claim may then start fresh runs itself.
 */
export type TWorkflow = {
  definition: TWorkflowDefinition;
  version: number;
  index: Map<string, number>;
  start: { elementId: string; details: Record<string, unknown> } | null;
};

/** A workflow version ready to run: its elements by id, and how the claim may start its runs. */
export function prepareWorkflow(definition: TWorkflowDefinition, version: number): TWorkflow {
  const [first] = definition.elements;
  let start: TWorkflow['start'] = null;
  if (first && first.type !== 'log' && first.type !== 'sleep') {
    try {
      start = { elementId: first.id, details: elementEvent(first, 1, planElement(first, {})).details ?? {} };
    } catch {
      // started by the runner's own checkpoint, which fails the run with the reason
    }
  }
  return { definition, version, index: new Map(definition.elements.map((element, index) => [element.id, index])), start };
}
type TDone = Extract<TElementOutcome, { kind: 'done' }>;

export type TExecutionContext = {
  store: TRunStore;
  agent: TRunnerAgent;
  node: { id: string; name: string };
  dataDir: string;
  plugins: TPluginSandbox;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** element completions the database acknowledged, to tell what a database failover lost */
  acknowledged: AcknowledgedCheckpoints;
  /** a workflow version's definition (cached); a RunFailure when it does not exist */
  workflow: (name: string, version: number) => Promise<TWorkflow>;
  /**
   * Waits for one of the node's places (at most its maximum of concurrent runs run elements at
   * once): asked once the run's first checkpoint is written; false when the run was stopped meanwhile.
   */
  takePlace: () => Promise<boolean>;
  /**
   * The run executes no element any more: only its last checkpoint (its end) is still being
   * written. Its place among the node's concurrent runs may go to the next run; the run itself
   * stays this node's until that write is answered.
   */
  leaveSlot: () => void;
};

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

/**
 * Runs a claimed run until it ends or is no longer this node's. Never rejects: a checkpoint the
 * database refuses fails the run; any other database error leaves the run this node's, and the
 * next claim takes it up again as a resume (counted in its retries, so not for ever).
 */
export async function executeRun(
  context: TExecutionContext,
  run: TClaimedRun,
  lease: TLease,
  signal: AbortSignal,
): Promise<void> {
  try {
    await runToEnd(context, run, lease, signal);
  } catch (error) {
    if (error instanceof CheckpointRefusedError) {
      // the refused data is not written again: the run ends with the variables it last stored
      context.log('warn', `run ${run.id}: ${error.message}; the run fails`);
      await context.store.failRun(lease, run.id, logSafe(error.message)).catch((failure) => {
        context.log('warn', `run ${run.id}: could not be failed (${(failure as Error).message}); it is taken up again`);
      });
      return;
    }
    context.log('warn', `run ${run.id}: ${(error as Error).message}; it is taken up again`);
  }
}

async function runToEnd(context: TExecutionContext, run: TClaimedRun, lease: TLease, signal: AbortSignal): Promise<void> {
  const { store, agent, node } = context;
  /** `after`: the element whose outcome this checkpoint records, if it records one */
  const save = async (checkpoint: TCheckpoint, after?: TElement) => {
    try {
      const saved = await store.checkpoint(lease, checkpoint);
      if (saved?.eventId && after)
        context.acknowledged.record({
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
    context.leaveSlot();
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
    context.log('warn', `run ${run.id}: ${reason}; the run fails`);
    await store.failRun(lease, run.id, reason);
    return;
  }

  let workflow: TWorkflow;
  try {
    workflow = await context.workflow(run.workflowName, run.workflowVersion);
  } catch (error) {
    if (failsTheRun(error)) return fail(error, run.variables, run.elementId, run.attempt);
    throw error;
  }
  const elementAt = (id: string): TElement | undefined => {
    const index = workflow.index.get(id);
    return index === undefined ? undefined : workflow.definition.elements[index];
  };

  // the first checkpoint under this owner: the element the run is at starts (again); written by
  // the claim itself for a fresh run of a workflow whose first element starts the same whatever
  // the variables (TWorkflow.start)
  const resumed = run.step > 0 && !run.started;
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
  let checkpoint = run.started
    ? { wakeInMs: null, step: run.step, eventId: null }
    : await save({
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
  if (resumed) context.log('info', `run ${run.id}: ${opening[0].message}`);
  // started while it waited in the node's queue: its elements run once it has a place
  if (!(await context.takePlace())) return;

  for (;;) {
    if (signal.aborted || !agent.isActiveNow()) return;
    let outcome: TElementOutcome;
    try {
      outcome = await runElement(element, {
        runId: run.id,
        dataDir: context.dataDir,
        variables,
        plan,
        wakeInMs: checkpoint.wakeInMs,
        signal,
        plugins: context.plugins,
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
      outcome.next === undefined ? (workflow.definition.elements[workflow.index.get(element.id)! + 1]?.id ?? null) : outcome.next;
    const next: TElement | undefined = nextId === null ? undefined : elementAt(nextId);
    const effects = {
      serverLog: outcome.serverLog ? { ...outcome.serverLog, elementId: element.id } : null,
      unlock: outcome.unlock ?? null,
    };
    if (nextId === null || next?.type === 'end') {
      // the end: completed with the element's effects; every lock the run still holds goes with it
      const events: TRunEventInput[] = next ? [elementEvent(next, 1, { message: null, sleepMs: null, details: {} })] : [];
      events.push({ kind: 'COMPLETED', element_id: next?.id ?? element.id, message: `completed on node ${node.name}` });
      // no element of this run runs any more: its place goes to the next run while this one is written
      context.leaveSlot();
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

function elementEvent(element: TElement, attempt: number, plan: TElementPlan): TRunEventInput {
  return {
    kind: 'ELEMENT',
    element_id: element.id,
    attempt,
    message: plan.message ?? undefined,
    details: { type: element.type, ...plan.details },
  };
}
