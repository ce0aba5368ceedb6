/**
 * The runner's statements on PostgreSQL. Every write a runner makes for a run is fenced twice, in
 * SQL, on the database clock: the node must still hold a lease with its epoch in `active_slot`,
 * and the run must still be owned by that node under that epoch. A write that changes no row
 * means the run is no longer this runner's (another node took it over, or it was cancelled): a
 * normal outcome, on which the runner drops the run at once. The runner has a pool of its own,
 * so that page queries never hold up a checkpoint, and the hot statements are named (planned once
 * per connection).
 */
import { APP_SESSION_LIMITS, limitedPoolConfig } from '@/lib/cluster/session-limits';
import { metrics } from '@/lib/metrics/registry';
import type pg from 'pg';
import { createPrimaryPool } from '@/lib/db/primary';
import type { TVariables } from '@/lib/workflow/expression/evaluate';
import { CheckpointBatcher, writeCheckpoints, type TSavedCheckpoint } from '@/lib/workflow/checkpoint-batch';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';
import { CLAIM_SQL } from '@/lib/workflow/claim-statement';

/** `$2`/`$3` are the node and its epoch in every fenced statement. */
const LEASE_HELD = `orch_lease_held($2, $3)`;

// Ends a run as FAILED (WAITING when it waits for an operator on failure) without writing its variables or effects: for a run whose checkpoint the
// database refuses (the refused data is not written again) or that was retried too often. Fenced
// like a checkpoint.
const FAIL_SQL = `
WITH run AS (
  UPDATE workflow_run
     SET status = CASE WHEN wait_on_failure THEN 'WAITING' ELSE 'FAILED' END, error = $4::text, updated_at = now(),
         finished_at = CASE WHEN wait_on_failure THEN NULL ELSE now() END, wake_at = NULL,
         owner_node = NULL, owner_epoch = NULL
   WHERE id = $1 AND status = 'RUNNING' AND owner_node = $2 AND owner_epoch = $3 AND ${LEASE_HELD}
  RETURNING id, element_id, attempt, status
),
events AS (
  INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
  SELECT run.id, CASE WHEN run.status = 'WAITING' THEN 'WAITING' ELSE 'FAILED' END, run.element_id, run.attempt, $2, $3, $4::text FROM run
),
unlocked AS (
  DELETE FROM workflow_lock l USING run WHERE l.run_id = run.id
)
SELECT id FROM run`;

// The run row is locked (FOR UPDATE) so that a cancel, which ends the run and frees its locks in
// one transaction, cannot interleave and leave a lock behind for a finished run. A lock still
// recorded for a finished run (which no path should leave) is taken over rather than kept forever.
const LOCK_SQL = `
WITH mine AS (
  SELECT r.id FROM workflow_run r
   WHERE r.id = $1 AND r.status = 'RUNNING' AND r.owner_node = $2 AND r.owner_epoch = $3 AND ${LEASE_HELD}
     FOR UPDATE
),
taken AS (
  INSERT INTO workflow_lock (resource, run_id) SELECT $4, id FROM mine
  ON CONFLICT (resource) DO UPDATE SET run_id = EXCLUDED.run_id, acquired_at = now()
   WHERE workflow_lock.run_id = EXCLUDED.run_id
      OR NOT EXISTS (SELECT 1 FROM workflow_run h WHERE h.id = workflow_lock.run_id AND h.status IN ('PENDING', 'RUNNING'))
  RETURNING run_id
)
SELECT EXISTS (SELECT 1 FROM mine) AS owned, EXISTS (SELECT 1 FROM taken) AS held,
       (SELECT run_id FROM workflow_lock WHERE resource = $4) AS holder`;

// Giving a run up needs no lease: it only ever removes this node's claim, and only under the
// epoch it claimed with.
// Its rows are locked by id first, as every writer of several runs locks them
// (lib/workflow/checkpoint-batch.ts, "Lock order").
const HANDOVER_SQL = `
WITH mine AS MATERIALIZED (
  SELECT id FROM workflow_run WHERE owner_node = $1 AND owner_epoch = $2 AND status = 'RUNNING' ORDER BY id FOR UPDATE
),
handed AS (
  UPDATE workflow_run r SET owner_node = NULL, owner_epoch = NULL, updated_at = now()
    FROM mine
   WHERE r.id = mine.id AND r.owner_node = $1 AND r.owner_epoch = $2 AND r.status = 'RUNNING'
  RETURNING r.id, r.element_id, r.attempt
)
INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
SELECT id, 'HANDED_OVER', element_id, attempt, $1, $2, $3 || ' at element ' || element_id FROM handed
RETURNING run_id`;

const LOST_SQL = `
SELECT id FROM workflow_run
 WHERE id = ANY($1::uuid[]) AND (status <> 'RUNNING' OR owner_node IS DISTINCT FROM $2 OR owner_epoch IS DISTINCT FROM $3)`;

// Rows locked by id first (lib/workflow/checkpoint-batch.ts, "Lock order"); a run's events, log
// lines and locks go with it (ON DELETE CASCADE).
const PRUNE_SQL = `
WITH old AS MATERIALIZED (
  SELECT id FROM workflow_run
   WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND finished_at < now() - make_interval(days => $1)
     AND orch_lease_held($2, $3)
   ORDER BY id
     FOR UPDATE
)
DELETE FROM workflow_run r USING old
 WHERE r.id = old.id AND r.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND r.finished_at < now() - make_interval(days => $1)
   AND orch_lease_held($2, $3)`;

/**
 * The database refused the statement itself (bad data, a size limit, a constraint): the same
 * statement fails again however often it is retried. SQLSTATE classes 22 (data exception), 23
 * (integrity), 42 (syntax or access) and 54 (program limit exceeded). A lost connection, a
 * timeout or a conflict is not permanent.
 */
export function isPermanentDatabaseError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42|54)[0-9A-Z]{3}$/.test(code);
}

export type TClaimedRun = {
  id: string;
  workflowName: string;
  workflowVersion: number;
  variables: TVariables;
  elementId: string;
  attempt: number;
  /** checkpoints so far: 0 for a run no node has started */
  step: number;
  /** times taken up again at this element without a clean hand-over, this claim included */
  retries: number;
  previousNode: string | null;
  previousNodeName: string | null;
  previousEpoch: number | null;
  /** the claim wrote the run's first checkpoint itself (a `TClaimStarts` workflow): its first element may run */
  started?: boolean;
};

/**
 * What a claim needs to start runs itself: the node's name (for the STARTED event), and the
 * workflow versions whose first element's ELEMENT event is the same whatever the variables.
 */
export type TClaimStarts = {
  nodeName: string;
  workflows: { name: string; version: number; elementId: string; details: Record<string, unknown> }[];
};

export type TRunEventInput = {
  kind: string;
  element_id?: string;
  attempt?: number;
  message?: string;
  details?: Record<string, unknown>;
};

export type TCheckpoint = {
  runId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  elementId: string;
  attempt: number;
  variables: TVariables;
  /** a sleep element that starts now: its end is stored, on the database clock */
  sleepMs?: number | null;
  /** the same element again after a resume: keep the stored end of its sleep */
  resumed?: boolean;
  events: TRunEventInput[];
  serverLog?: { level: string; message: string; elementId: string } | null;
  unlock?: string | null;
  error?: string | null;
};

export type TLease = { nodeId: string; epoch: number };

export class RunStore {
  private readonly pool: pg.Pool;
  private readonly batcher = new CheckpointBatcher({
    write: async (lease, checkpoints) => {
      const stopTimer = metrics().checkpointSeconds.startTimer();
      try {
        return await writeCheckpoints((name, text, values) => this.query(name, text, values), lease, checkpoints);
      } finally {
        stopTimer();
      }
    },
    isPermanent: isPermanentDatabaseError,
  });

  constructor(databaseUrl: string, connections: number) {
    // on the writable primary of a multi-host URL (lib/db/primary.ts)
    this.pool = createPrimaryPool(databaseUrl, {
      max: connections,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      ...limitedPoolConfig(APP_SESSION_LIMITS),
    }).pool;
    this.pool.on('error', () => {}); // a connection broken while idle (database restart) must not crash the node
  }

  private query<T extends pg.QueryResultRow>(name: string | undefined, text: string, values: unknown[]) {
    return this.pool.query<T>({ name, text, values, query_timeout: 10_000 } as pg.QueryConfig);
  }

  /**
   * Up to `limit` free runs, now owned by this node under its epoch; `executing` are the runs it
   * executes now. Fresh runs of the workflows in `starts` come back started (`started`).
   */
  async claim(lease: TLease, limit: number, executing: string[], starts?: TClaimStarts): Promise<TClaimedRun[]> {
    if (limit <= 0) return [];
    const { rows } = await this.query<Record<string, unknown>>('wf-claim', CLAIM_SQL, [
      lease.nodeId,
      lease.epoch,
      limit,
      executing,
      JSON.stringify(
        (starts?.workflows ?? []).map((workflow) => ({
          workflow_name: workflow.name,
          workflow_version: workflow.version,
          element_id: workflow.elementId,
          details: workflow.details,
        })),
      ),
      starts?.nodeName ?? '',
    ]);
    return rows.map((row) => ({
      id: String(row.id),
      workflowName: String(row.workflow_name),
      workflowVersion: Number(row.workflow_version),
      variables: row.variables as TVariables,
      elementId: String(row.element_id),
      attempt: Number(row.attempt),
      step: Number(row.step),
      retries: Number(row.retries),
      previousNode: (row.previous_node as string | null) ?? null,
      previousNodeName: (row.previous_node_name as string | null) ?? null,
      previousEpoch: row.previous_epoch === null ? null : Number(row.previous_epoch),
      started: row.started === true,
    }));
  }

  /**
   * Null when the write changed nothing (the run is not this runner's any more); else ms until a
   * stored sleep ends, the step written and its last event. Written together with the other
   * checkpoints due at the same time (lib/workflow/checkpoint-batch.ts); answered once committed.
   */
  checkpoint(lease: TLease, checkpoint: TCheckpoint): Promise<TSavedCheckpoint | null> {
    return this.batcher.save(lease, checkpoint);
  }

  /**
   * Which of these checkpoints this database holds: a checkpoint is known by the last event it
   * wrote (its id, this node, the run, the epoch); and which of the runs it holds at all.
   */
  async heldCheckpoints(
    nodeId: string,
    checkpoints: { runId: string; eventId: string; epoch: number }[],
  ): Promise<{ events: Set<string>; runs: Set<string> }> {
    const { rows } = await this.query<{ event_id: string | null; run_id: string | null }>(
      undefined,
      `SELECT e.id::text AS event_id, NULL::uuid AS run_id FROM workflow_run_event e
        JOIN unnest($2::bigint[], $3::uuid[], $4::bigint[]) AS k(id, run_id, epoch) ON e.id = k.id AND e.run_id = k.run_id AND e.epoch = k.epoch
       WHERE e.node_id = $1
       UNION ALL
       SELECT NULL, r.id FROM workflow_run r WHERE r.id = ANY($3::uuid[])`,
      [
        nodeId,
        checkpoints.map((checkpoint) => checkpoint.eventId),
        checkpoints.map((checkpoint) => checkpoint.runId),
        checkpoints.map((checkpoint) => checkpoint.epoch),
      ],
    );
    return {
      events: new Set(rows.flatMap((row) => (row.event_id ? [row.event_id] : []))),
      runs: new Set(rows.flatMap((row) => (row.run_id ? [row.run_id] : []))),
    };
  }

  /** Tells the cluster which elements run again because the database failed over (not fenced: it is a report). */
  async recordLostWork(nodeId: string, details: Record<string, unknown>): Promise<void> {
    await this.query(
      undefined,
      `INSERT INTO cluster_event (kind, node_id, details) VALUES ('DATABASE_FAILOVER_LOST_WORK', $1, $2::jsonb)`,
      [nodeId, JSON.stringify(details)],
    );
  }

  /** Fails the run, keeping its stored variables; false when it is not this runner's any more. */
  async failRun(lease: TLease, runId: string, reason: string): Promise<boolean> {
    const { rows } = await this.query(undefined, FAIL_SQL, [runId, lease.nodeId, lease.epoch, reason]);
    return rows.length > 0;
  }

  /** 'lost' when the run is not this runner's any more. */
  async lock(lease: TLease, runId: string, resource: string): Promise<'held' | 'busy' | 'lost'> {
    const { rows } = await this.query<{ owned: boolean; held: boolean; holder: string | null }>('wf-lock', LOCK_SQL, [
      runId,
      lease.nodeId,
      lease.epoch,
      resource,
    ]);
    const row = rows[0];
    if (!row.owned) return 'lost';
    return row.held ? 'held' : 'busy';
  }

  async handOver(lease: TLease, message: string): Promise<string[]> {
    const { rows } = await this.query<{ run_id: string }>(undefined, HANDOVER_SQL, [lease.nodeId, lease.epoch, message]);
    return rows.map((row) => row.run_id);
  }

  /** Of the given runs, those this node no longer owns under the epoch (cancelled, taken over). */
  async lostRuns(lease: TLease, runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const { rows } = await this.query<{ id: string }>('wf-lost', LOST_SQL, [runIds, lease.nodeId, lease.epoch]);
    return rows.map((row) => row.id);
  }

  async definition(name: string, version: number): Promise<TWorkflowDefinition | undefined> {
    const { rows } = await this.query<{ definition: TWorkflowDefinition }>(
      'wf-definition',
      'SELECT definition FROM workflow_definition WHERE name = $1 AND version = $2',
      [name, version],
    );
    return rows[0]?.definition;
  }

  /** The sealed rows of the named secrets (opened by the element with the node's cluster key). */
  async sealedSecrets(names: string[]): Promise<{ name: string; sealed: string; keyId: string }[]> {
    const { rows } = await this.query<{ name: string; sealed: string; key_id: string }>(
      'wf-secrets',
      'SELECT name, sealed, key_id FROM workflow_secret WHERE name = ANY($1::text[])',
      [names],
    );
    return rows.map((row) => ({ name: row.name, sealed: row.sealed, keyId: row.key_id }));
  }

  async prune(lease: TLease, retentionDays: number): Promise<number> {
    const { rowCount } = await this.query(undefined, PRUNE_SQL, [retentionDays, lease.nodeId, lease.epoch]);
    return rowCount ?? 0;
  }

  async ensureDefinition(definition: TWorkflowDefinition, createdBy: string): Promise<boolean> {
    const { rowCount } = await this.query(
      undefined,
      `INSERT INTO workflow_definition (name, version, description, definition, created_by)
       SELECT $1, 1, $2, $3::jsonb, $4 WHERE NOT EXISTS (SELECT 1 FROM workflow_definition WHERE name = $1)
       ON CONFLICT DO NOTHING`,
      [definition.name, definition.description, JSON.stringify(definition), createdBy],
    );
    return (rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
