/**
 * Checkpoints of many runs in one statement. Every run in flight on a node waits for its own
 * checkpoint before it goes on, so the checkpoints that become due while one statement is on its
 * way are written together by the next: one round trip and one commit (one WAL flush) for all of
 * them instead of one each. Nothing is weaker for it:
 *  - each checkpoint is fenced as a single one is (the run owned by this node under this epoch,
 *    and the lease check `orch_lease_held` on the database clock); a batch holds checkpoints of
 *    one lease only, so a fenced node's batch writes nothing at all;
 *  - a checkpoint is answered only once the statement that holds it committed, so a completion is
 *    acknowledged (and journalled for a database failover) only when it is durable;
 *  - a run has at most one checkpoint in a batch (an UPDATE changes a row once per statement);
 *  - a statement the database refuses for its data (a permanent error) is written again one
 *    checkpoint at a time, so that only the checkpoint at fault is refused.
 *
 * Lock order. A batch locks many workflow_run rows in one transaction, so every writer of several
 * run rows in one transaction locks them in the same order, by id: otherwise two of them can each
 * hold a row the other waits for, and PostgreSQL aborts one (40P01). Here the `locked` step takes
 * the batch's rows FOR UPDATE sorted by id before the UPDATE writes any of them; the others are
 * the hand-over and the retention prune (run-store.ts), a schedule's deletion (schedules.ts, which
 * unlinks its runs) and the bench's cancel-all. A cancel or resume writes one row; the claim
 * never waits for a row (SKIP LOCKED), so it cannot close a cycle. The rows a run's statement
 * locks in other tables (its events, its workflow locks) are always taken after its run row.
 * tests/integration/workflow-lock-order.test.ts runs batches beside those writers.
 */
import type pg from 'pg';
import type { TCheckpoint, TLease } from '@/lib/workflow/run-store';

/** What a written checkpoint tells its run: ms until a stored sleep ends, the step written, the last event's id. */
export type TSavedCheckpoint = { wakeInMs: number | null; step: number; eventId: string | null };

/** Checkpoints per statement at most (their variables are capped, so a statement stays a few MB at worst). */
export const MAX_BATCH = 64;
/**
 * Statements under way at once, so that PostgreSQL works on several while the next fills (its own
 * group commit still shares WAL flushes between them). On the 2-core bench machine 4 to 5 drained
 * a node's ten looping runs 20-30 % faster than 2; the runner's pool keeps room for claims and locks.
 */
const MAX_IN_FLIGHT = 4;

// $1: the checkpoints (a JSON array); $2, $3: the node and its epoch; a fenced node's batch
// locks no row either. The state after the element
// that just ran, its events and its database effects (a server log entry, an unlock; on the run's
// end every lock it holds) commit together for every run of the batch, or not at all.
export const CHECKPOINTS_SQL = `
WITH c AS (
  SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
           run_id uuid, status text, element_id text, attempt int, variables jsonb, sleep_ms float8,
           resumed boolean, events jsonb, server_log jsonb, unlock text, error text))
         WITH ORDINALITY AS c(run_id, status, element_id, attempt, variables, sleep_ms, resumed, events, server_log, unlock, error, n)
),
-- the batch's rows locked by id before any is written (see "Lock order" above)
locked AS MATERIALIZED (
  SELECT r.id FROM workflow_run r
   WHERE r.id IN (SELECT c.run_id FROM c) AND r.status = 'RUNNING' AND r.owner_node = $2 AND r.owner_epoch = $3
     AND orch_lease_held($2, $3)
   ORDER BY r.id
     FOR UPDATE
),
run AS (
  UPDATE workflow_run r
     -- a run set to wait on failure is left WAITING at the failed element instead of ending
     SET status = CASE WHEN c.status = 'FAILED' AND r.wait_on_failure THEN 'WAITING' ELSE c.status END,
         element_id = c.element_id, attempt = c.attempt, variables = c.variables, step = r.step + 1,
         -- the first checkpoint after a resume is the same element again; any other is progress
         retries = CASE WHEN c.resumed THEN r.retries ELSE 0 END,
         wake_at = CASE WHEN c.resumed THEN r.wake_at
                        WHEN c.sleep_ms IS NULL THEN NULL
                        ELSE now() + make_interval(secs => c.sleep_ms / 1000.0) END,
         error = c.error, updated_at = now(),
         finished_at = CASE WHEN c.status = 'RUNNING' OR (c.status = 'FAILED' AND r.wait_on_failure) THEN NULL ELSE now() END,
         owner_node = CASE WHEN c.status = 'RUNNING' THEN r.owner_node END,
         owner_epoch = CASE WHEN c.status = 'RUNNING' THEN r.owner_epoch END
    FROM c JOIN locked ON locked.id = c.run_id
   WHERE r.id = c.run_id AND r.status = 'RUNNING' AND r.owner_node = $2 AND r.owner_epoch = $3 AND orch_lease_held($2, $3)
  RETURNING r.id, r.step, r.status, c.status AS written, c.n, c.events, c.server_log, c.unlock,
            (extract(epoch FROM r.wake_at - now()) * 1000)::float8 AS wake_in_ms
),
events AS (
  INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message, details)
  SELECT run.id, CASE WHEN e.kind = 'FAILED' AND run.status = 'WAITING' THEN 'WAITING' ELSE e.kind END,
         e.element_id, e.attempt, $2, $3, e.message, coalesce(e.details, '{}'::jsonb)
    FROM run, ROWS FROM (jsonb_to_recordset(run.events) AS (kind text, element_id text, attempt int, message text, details jsonb))
         WITH ORDINALITY AS e(kind, element_id, attempt, message, details, k)
   ORDER BY run.n, e.k
  RETURNING id, run_id
),
server_log AS (
  INSERT INTO workflow_log_entry (run_id, level, message, element_id, node_id)
  SELECT run.id, run.server_log ->> 'level', run.server_log ->> 'message', run.server_log ->> 'elementId', $2
    FROM run WHERE run.server_log IS NOT NULL AND jsonb_typeof(run.server_log) = 'object'
   ORDER BY run.n
),
unlocked AS (
  DELETE FROM workflow_lock l USING run WHERE l.run_id = run.id AND (run.written <> 'RUNNING' OR l.resource = run.unlock)
)
SELECT run.id::text AS run_id, run.wake_in_ms, run.step,
       (SELECT max(events.id) FROM events WHERE events.run_id = run.id)::text AS event_id
  FROM run`;

type TQuery = (name: string, text: string, values: unknown[]) => Promise<pg.QueryResult<pg.QueryResultRow>>;

/** Writes checkpoints of one lease in one statement; for each, what was written, or null when the run is not this runner's any more. */
export async function writeCheckpoints(
  query: TQuery,
  lease: TLease,
  checkpoints: TCheckpoint[],
): Promise<(TSavedCheckpoint | null)[]> {
  const input = checkpoints.map((checkpoint) => ({
    run_id: checkpoint.runId,
    status: checkpoint.status,
    element_id: checkpoint.elementId,
    attempt: checkpoint.attempt,
    variables: checkpoint.variables,
    sleep_ms: checkpoint.sleepMs ?? null,
    resumed: checkpoint.resumed ?? false,
    events: checkpoint.events,
    server_log: checkpoint.serverLog ?? null,
    unlock: checkpoint.unlock ?? null,
    error: checkpoint.error ?? null,
  }));
  const { rows } = await query('wf-checkpoints', CHECKPOINTS_SQL, [JSON.stringify(input), lease.nodeId, lease.epoch]);
  const written = new Map(rows.map((row) => [String(row.run_id), row]));
  return checkpoints.map((checkpoint) => {
    const row = written.get(checkpoint.runId);
    if (!row) return null;
    return {
      wakeInMs: row.wake_in_ms === null ? null : Number(row.wake_in_ms),
      step: Number(row.step),
      eventId: (row.event_id as string | null) ?? null,
    };
  });
}

type TPending = {
  lease: TLease;
  checkpoint: TCheckpoint;
  resolve: (saved: TSavedCheckpoint | null) => void;
  reject: (error: unknown) => void;
};

export type TCheckpointBatcherOptions = {
  write: (lease: TLease, checkpoints: TCheckpoint[]) => Promise<(TSavedCheckpoint | null)[]>;
  /** the database refused the statement for its data: each checkpoint is then written alone */
  isPermanent: (error: unknown) => boolean;
  maxBatch?: number;
};

/** Collects the checkpoints that become due together and writes them in as few statements as their leases allow. */
export class CheckpointBatcher {
  private pending: TPending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(private readonly options: TCheckpointBatcherOptions) {
    this.maxBatch = options.maxBatch ?? MAX_BATCH;
  }

  /** Resolves once the statement that holds the checkpoint committed: null when the run is not this runner's any more. */
  save(lease: TLease, checkpoint: TCheckpoint): Promise<TSavedCheckpoint | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ lease, checkpoint, resolve, reject });
      this.schedule();
    });
  }

  /** After the current turn of the event loop, so that the checkpoints due in it go together. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < MAX_IN_FLIGHT && this.pending.length > 0) {
        const batch = this.take();
        this.inFlight += 1;
        void this.send(batch).finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
      }
    });
  }

  /** The oldest pending checkpoint and those after it of the same lease, one per run, up to the batch size. */
  private take(): TPending[] {
    const [first] = this.pending;
    const runs = new Set<string>();
    const batch: TPending[] = [];
    const rest: TPending[] = [];
    for (const entry of this.pending) {
      const fits =
        batch.length < this.maxBatch &&
        entry.lease.nodeId === first.lease.nodeId &&
        entry.lease.epoch === first.lease.epoch &&
        !runs.has(entry.checkpoint.runId);
      if (fits) {
        batch.push(entry);
        runs.add(entry.checkpoint.runId);
      } else rest.push(entry);
    }
    this.pending = rest;
    return batch;
  }

  private async send(batch: TPending[]): Promise<void> {
    const { lease } = batch[0];
    try {
      const saved = await this.options.write(
        lease,
        batch.map((entry) => entry.checkpoint),
      );
      batch.forEach((entry, index) => entry.resolve(saved[index]));
    } catch (error) {
      if (batch.length === 1 || !this.options.isPermanent(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      // the statement failed as a whole: nothing of it was written; each alone, to refuse only the one at fault
      await Promise.all(
        batch.map((entry) =>
          this.options.write(entry.lease, [entry.checkpoint]).then(
            ([saved]) => entry.resolve(saved),
            (failure: unknown) => entry.reject(failure),
          ),
        ),
      );
    }
  }
}
