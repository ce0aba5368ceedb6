/**
 * The scheduler's statements on PostgreSQL, on a small pool of its own (a slow page query never
 * holds up a firing, and a firing never holds up a checkpoint).
 *
 * A firing is one statement, fenced on the database clock: the node must hold its lease under its
 * epoch (orch_lease_held), and the schedule's next_fire_at must still be the slot the node planned
 * from (compare-and-set), so of two active nodes, or a frozen node that wakes up, only one moves
 * a schedule on. The runs it inserts are keyed by (schedule_id, scheduled_for), unique: even a
 * statement that got past both checks could not fire one slot twice.
 */
import pg from 'pg';
import { createPrimaryPool } from '@/lib/db/primary';
import { APP_SESSION_LIMITS, limitedPoolConfig } from '@/lib/cluster/session-limits';
import type { TScalar } from '@/lib/workflow/expression/evaluate';
import type { TLease } from '@/lib/workflow/run-store';
import type { TMisfirePolicy, TOverlapPolicy } from '@/lib/workflow/schedule-times';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';

/** Schedules whose next slot has come, with the database's time. */
const DUE_SQL = `
SELECT id, workflow_name, cron, time_zone, every_seconds, inputs, misfire, catch_up_seconds, overlap,
       anchor_at, next_fire_at, now() AS db_now
  FROM workflow_schedule
 WHERE NOT paused AND next_fire_at <= now() AND orch_lease_held($1, $2)
 ORDER BY next_fire_at
 LIMIT $3`;

// $1 schedule, $2/$3 node and epoch, $4 the next_fire_at planned from, $5 the new one (null: the
// schedule never fires again and is paused), $6 the slots that fire, $7 the workflow version,
// $8 the inputs, $9 its first element, $10 started_by, $11 the result to show, $12 the node's name,
// $13 whether the runs wait for an operator on failure
const FIRE_SQL = `
WITH busy AS (
  SELECT EXISTS (SELECT 1 FROM workflow_run WHERE schedule_id = $1 AND status IN ('PENDING', 'RUNNING', 'WAITING')) AS running
),
fired AS (
  UPDATE workflow_schedule sc
     SET next_fire_at = coalesce($5::timestamptz, sc.next_fire_at),
         paused = sc.paused OR $5::timestamptz IS NULL,
         last_fired_at = CASE WHEN cardinality($6::timestamptz[]) > 0 THEN now() ELSE sc.last_fired_at END,
         last_fired_for = CASE WHEN cardinality($6::timestamptz[]) > 0 THEN ($6::timestamptz[])[cardinality($6::timestamptz[])] ELSE sc.last_fired_for END,
         last_fired_node = CASE WHEN cardinality($6::timestamptz[]) > 0 THEN $2 ELSE sc.last_fired_node END,
         last_fired_epoch = CASE WHEN cardinality($6::timestamptz[]) > 0 THEN $3 ELSE sc.last_fired_epoch END,
         last_result = CASE WHEN cardinality($6::timestamptz[]) > 0 AND sc.overlap = 'skip' AND busy.running
                            THEN 'skipped: the previous run had not finished'
                            ELSE coalesce($11::text, sc.last_result) END,
         updated_at = now()
    FROM busy
   WHERE sc.id = $1 AND sc.next_fire_at = $4::timestamptz AND NOT sc.paused AND orch_lease_held($2, $3)
  RETURNING sc.id, sc.workflow_name, (sc.overlap = 'skip' AND busy.running) AS overlapping
),
runs AS (
  INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, schedule_id, scheduled_for, wait_on_failure)
  SELECT gen_random_uuid(), fired.workflow_name, $7, 'PENDING', $8::jsonb, $8::jsonb, $9, $10, fired.id, slot, $13
    FROM fired, unnest($6::timestamptz[]) AS slot
   WHERE NOT fired.overlapping
  ON CONFLICT (schedule_id, scheduled_for) DO NOTHING
  RETURNING id, scheduled_for
),
events AS (
  INSERT INTO workflow_run_event (run_id, kind, node_id, epoch, message, details)
  SELECT runs.id, 'CREATED', $2, $3,
         'fired by schedule ' || $1 || ' for ' || to_char(runs.scheduled_for AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ' on node ' || $12 || ', epoch ' || $3,
         jsonb_build_object('inputs', $8::jsonb, 'scheduleId', $1::text, 'scheduledFor', runs.scheduled_for)
    FROM runs
)
SELECT (SELECT count(*) FROM fired)::int AS advanced, (SELECT count(*) FROM runs)::int AS fired`;

export type TDueSchedule = {
  id: string;
  workflowName: string;
  cron: string | null;
  timeZone: string | null;
  everySeconds: number | null;
  inputs: Record<string, string | number | boolean>;
  misfire: TMisfirePolicy;
  catchUpSeconds: number;
  overlap: TOverlapPolicy;
  anchorAt: Date;
  nextFireAt: Date;
  dbNow: Date;
};

export type TFiring = {
  scheduleId: string;
  lease: TLease;
  nodeName: string;
  /** the next_fire_at the plan was made from */
  plannedFrom: Date;
  nextFireAt: Date | null;
  slots: Date[];
  workflow: { version: number; firstElementId: string; waitOnFailure: boolean } | null;
  inputs: Record<string, TScalar>;
  result: string | null;
};

export class ScheduleStore {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    // on the writable primary of a multi-host URL, like the runner's pool
    this.pool = createPrimaryPool(databaseUrl, {
      max: 2,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      ...limitedPoolConfig(APP_SESSION_LIMITS),
    }).pool;
    this.pool.on('error', () => {}); // a connection broken while idle (database restart) must not crash the node
  }

  private query<T extends pg.QueryResultRow>(name: string | undefined, text: string, values: unknown[]) {
    return this.pool.query<T>({ name, text, values, query_timeout: 5_000 } as pg.QueryConfig);
  }

  async due(lease: TLease, limit: number): Promise<TDueSchedule[]> {
    const { rows } = await this.query<Record<string, unknown>>('sched-due', DUE_SQL, [lease.nodeId, lease.epoch, limit]);
    return rows.map((row) => ({
      id: String(row.id),
      workflowName: String(row.workflow_name),
      cron: (row.cron as string | null) ?? null,
      timeZone: (row.time_zone as string | null) ?? null,
      everySeconds: row.every_seconds === null ? null : Number(row.every_seconds),
      inputs: row.inputs as TDueSchedule['inputs'],
      misfire: row.misfire as TMisfirePolicy,
      catchUpSeconds: Number(row.catch_up_seconds),
      overlap: row.overlap as TOverlapPolicy,
      anchorAt: row.anchor_at as Date,
      nextFireAt: row.next_fire_at as Date,
      dbNow: row.db_now as Date,
    }));
  }

  async latestDefinition(name: string): Promise<{ version: number; definition: TWorkflowDefinition } | undefined> {
    const { rows } = await this.query<{ version: number; definition: TWorkflowDefinition }>(
      'sched-definition',
      'SELECT version, definition FROM workflow_definition WHERE name = $1 ORDER BY version DESC LIMIT 1',
      [name],
    );
    return rows[0];
  }

  /** `advanced`: false when another node moved the schedule on first, or this node's lease is gone. */
  async fire(firing: TFiring): Promise<{ advanced: boolean; fired: number }> {
    const slots = firing.workflow ? firing.slots : [];
    const { rows } = await this.query<{ advanced: number; fired: number }>('sched-fire', FIRE_SQL, [
      firing.scheduleId,
      firing.lease.nodeId,
      firing.lease.epoch,
      firing.plannedFrom.toISOString(),
      firing.nextFireAt?.toISOString() ?? null,
      slots.map((slot) => slot.toISOString()),
      firing.workflow?.version ?? 0,
      JSON.stringify(firing.inputs),
      firing.workflow?.firstElementId ?? '',
      `schedule ${firing.scheduleId}`,
      firing.result,
      firing.nodeName,
      firing.workflow?.waitOnFailure ?? false,
    ]);
    return { advanced: rows[0].advanced > 0, fired: rows[0].fired };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
