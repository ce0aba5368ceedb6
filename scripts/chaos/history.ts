/**
 * For a soak (`npm run chaos -- --old-runs N`): a history that is already past the retention
 * horizon, so that an hour of chaos shows the product's own retention deleting it. Finished runs
 * of the chaos workflow with their run events and server-log lines, audit entries and cluster
 * events, written into the same tables the product writes, with timestamps 2 to 5 days old. The
 * nodes' retention settings go to their minimum (1 day) through the settings API, as an admin
 * would set them; the active node's run pruner (lib/workflow/runner.ts) and cluster-data pruner
 * (lib/retention) then delete what is older, or the soak shows that they did not.
 */
import type pg from 'pg';

/** the minimum the settings document allows (lib/config/document.ts) */
export const RETENTION_DAYS = 1;
export const RETENTION_SETTINGS = {
  runRetentionDays: RETENTION_DAYS,
  auditRetentionDays: RETENTION_DAYS,
  eventRetentionDays: RETENTION_DAYS,
};

/** the elements one five-tick run of the chaos workflow begins, in order */
const TICK_ELEMENTS = [
  'start',
  ...Array.from({ length: 5 }, (_, index) => ['tick', 'record', 'increment', 'more', ...(index < 4 ? ['pause'] : [])]).flat(),
  'done',
];

/** The tables a soak watches, with what "older than the retention horizon" means in each. */
export const WATCHED_TABLES: Record<string, string> = {
  workflow_run: `status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND finished_at < now() - interval '${RETENTION_DAYS} day'`,
  workflow_run_event: `at < now() - interval '${RETENTION_DAYS} day'`,
  workflow_log_entry: `at < now() - interval '${RETENTION_DAYS} day'`,
  audit_entry: `at < now() - interval '${RETENTION_DAYS} day'`,
  cluster_event: `at < now() - interval '${RETENTION_DAYS} day'`,
};

export type TTableCount = { rows: number; pastHorizon: number };

/** Exact row counts of the watched tables, and how many of their rows are older than the horizon. */
export async function countWatchedRows(client: pg.Client): Promise<Record<string, TTableCount>> {
  const counts: Record<string, TTableCount> = {};
  for (const [table, old] of Object.entries(WATCHED_TABLES)) {
    const { rows } = await client.query<{ rows: number; past: number }>(
      `SELECT count(*)::int AS rows, (count(*) FILTER (WHERE ${old}))::int AS past FROM ${table}`,
    );
    counts[table] = { rows: rows[0].rows, pastHorizon: rows[0].past };
  }
  return counts;
}

/** Writes RUNS finished runs (with their events and log lines), as many audit entries and cluster events, all 2–5 days old. */
export async function seedOldHistory(client: pg.Client, input: { runs: number; workflowName: string; nodeId: string }) {
  await client.query('BEGIN');
  try {
    // spread over three days, ending two days ago: every row is past a 1-day horizon
    const ages = `SELECT i, now() - interval '2 days' - (i * interval '259200 seconds' / $1::int) AS t FROM generate_series(1, $1::int) AS i`;
    await client.query(
      `CREATE TEMP TABLE old_run ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, t FROM (${ages}) AS spread`,
      [input.runs],
    );
    await client.query(
      `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, attempt, step,
                                 started_by, created_at, updated_at, finished_at)
       SELECT id, $1, (SELECT max(version) FROM workflow_definition WHERE name = $1), 'COMPLETED', '{"ticks":5}',
              '{"ticks":5,"n":6}', 'done', 0, $2::int, 'root', t, t + interval '8 seconds', t + interval '8 seconds'
         FROM old_run`,
      [input.workflowName, TICK_ELEMENTS.length],
    );
    await client.query(
      `INSERT INTO workflow_run_event (run_id, at, kind, element_id, attempt, node_id, epoch, message)
       SELECT r.id, r.t, 'CREATED', NULL::text, NULL::int, $1::uuid, 1, 'submitted through the API by root'::text FROM old_run r
       UNION ALL
       SELECT r.id, r.t + interval '50 ms', 'STARTED', NULL, NULL, $1::uuid, 1, NULL FROM old_run r
       UNION ALL
       SELECT r.id, r.t + k * interval '300 ms', 'ELEMENT', e.element_id, 0, $1::uuid, 1, NULL
         FROM old_run r, unnest($2::text[]) WITH ORDINALITY AS e(element_id, k)
       UNION ALL
       SELECT r.id, r.t + interval '8 seconds', 'COMPLETED', 'done', 0, $1::uuid, 1, NULL FROM old_run r`,
      [input.nodeId, TICK_ELEMENTS],
    );
    await client.query(
      `INSERT INTO workflow_log_entry (run_id, at, level, message, element_id, node_id)
       SELECT r.id, r.t + n * interval '1500 ms', 'info', 'tick ' || n, 'record', $1::uuid
         FROM old_run r, generate_series(1, 5) AS n`,
      [input.nodeId],
    );
    await client.query(
      `INSERT INTO audit_entry (at, actor, role, via, method, path, status, address, node_id)
       SELECT t, 'root', 'admin', 'password', 'POST', '/api/workflows/Chaos%20Tick/runs', 201, '127.0.0.1', $2::uuid
         FROM (${ages}) AS spread`,
      [input.runs, input.nodeId],
    );
    await client.query(
      `INSERT INTO cluster_event (at, kind, node_id, details)
       SELECT t, CASE WHEN i % 2 = 0 THEN 'BECAME_ACTIVE' ELSE 'BECAME_STANDBY' END, $2::uuid, '{"epoch":1}'
         FROM (${ages}) AS spread`,
      [input.runs, input.nodeId],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
