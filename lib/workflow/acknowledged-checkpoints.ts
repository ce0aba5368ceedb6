/**
 * What the database acknowledged to this node's runner lately: for each checkpoint that recorded
 * an element's completion, the run, the step the checkpoint wrote, the element, and the last event
 * the checkpoint wrote with the epoch it was written under (a new primary may hand out the same
 * event id again, but never under that epoch: epochs jump at a failover). With
 * asynchronous replication a new primary may lack the last of them after a failover: those
 * elements run again. Comparing this journal with the new primary is how the cluster is told
 * which ones (a DATABASE_FAILOVER_LOST_WORK event) instead of finding out never.
 */
import type { RunStore } from '@/lib/workflow/run-store';

export type TAcknowledged = {
  runId: string;
  workflowName: string;
  step: number;
  elementId: string;
  eventId: string;
  epoch: number;
  atMs: number;
};

/** An element whose completion was acknowledged but is missing now; `runLost`: the whole run is missing. */
export type TLostElement = TAcknowledged & { runLost: boolean };

/** Longer than any replication lag worth reporting, short enough to stay small. */
const KEEP_MS = 10 * 60_000;
const KEEP_ENTRIES = 2_000;

export class AcknowledgedCheckpoints {
  private entries: TAcknowledged[] = [];

  constructor(private readonly nowMs: () => number = Date.now) {}

  /**
   * Called for every completion a node writes (thousands a second): entries past the cap or the
   * age are dropped in bulk once the journal holds twice the cap, not on every call (trimming on
   * each call copied 2,000 entries per checkpoint); `take` applies both limits exactly.
   */
  record(entry: Omit<TAcknowledged, 'atMs'>): void {
    this.entries.push({ ...entry, atMs: this.nowMs() });
    if (this.entries.length >= 2 * KEEP_ENTRIES) this.entries = this.kept();
  }

  /**
   * Empties the journal and returns what it held: after a failover it is compared once, against
   * the new primary; what is acknowledged from then on (by the new primary) starts a new journal.
   */
  take(): TAcknowledged[] {
    const taken = this.kept();
    this.entries = [];
    return taken;
  }

  /** The last KEEP_ENTRIES entries not older than KEEP_MS. */
  private kept(): TAcknowledged[] {
    const oldest = this.nowMs() - KEEP_MS;
    return this.entries.slice(-KEEP_ENTRIES).filter((kept) => kept.atMs >= oldest);
  }
}

/** Of the acknowledged completions, those the database no longer has, given the checkpoints (by event) and runs it holds. */
export function missingAfterFailover(
  acknowledged: TAcknowledged[],
  held: { events: Set<string>; runs: Set<string> },
): TLostElement[] {
  return acknowledged
    .filter((entry) => !held.events.has(entry.eventId))
    .map((entry) => ({ ...entry, runLost: !held.runs.has(entry.runId) }));
}

/** One line for the event and the log, e.g. `run 1f2e… (Cluster Test): "count-3" (step 7), "count-4" (step 8)`. */
export function describeLostWork(lost: TLostElement[], maxRuns = 20): string {
  const byRun = new Map<string, TLostElement[]>();
  for (const element of lost) byRun.set(element.runId, [...(byRun.get(element.runId) ?? []), element]);
  const parts = [...byRun.values()].slice(0, maxRuns).map((elements) => {
    const [first] = elements;
    const what = first.runLost ? 'the whole run is missing (it ran' : 'these elements run again:';
    const list = elements.map((element) => `"${element.elementId}" (step ${element.step})`).join(', ');
    return `run ${first.runId} (${first.workflowName}): ${what} ${list}${first.runLost ? ')' : ''}`;
  });
  const more = byRun.size > maxRuns ? `; and ${byRun.size - maxRuns} more runs` : '';
  return `the new primary lacks ${lost.length} element completion(s) the old primary acknowledged: ${parts.join('; ')}${more}`;
}

export type TLostWorkReport = {
  store: Pick<RunStore, 'heldCheckpoints' | 'recordLostWork'>;
  nodeId: string;
  log: (level: 'info' | 'warn', message: string) => void;
};

/**
 * The shared database failed over: compares what the old primary acknowledged (the journal's
 * entries, taken) with what the new primary has, and records the elements that will run again
 * (asynchronous replication loses the last commits), so that the loss shows. Nothing lost,
 * nothing recorded.
 */
export async function reportLostWork(journal: AcknowledgedCheckpoints, { store, nodeId, log }: TLostWorkReport): Promise<void> {
  const acknowledged = journal.take();
  if (acknowledged.length === 0) return;
  const lost = missingAfterFailover(acknowledged, await store.heldCheckpoints(nodeId, acknowledged));
  if (lost.length === 0) {
    log('info', 'database failover: every element completion acknowledged to this node is on the new primary');
    return;
  }
  const message = describeLostWork(lost);
  log('warn', `database failover: ${message}`);
  await store.recordLostWork(nodeId, {
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
