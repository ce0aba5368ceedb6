/**
 * The console at scale: 64 registered members (one real node, 63 members kept alive by
 * heartbeating their rows), 100,000 finished runs, 1,000,000 server-log lines and one run of
 * 10,000 elements in the database. Timed, each with p50/p95 against its goal: the cluster page's
 * full server response and its status API; the runs list (newest page, the next page by its
 * cursor, a page deep in the history, and each filter it offers — status, workflow, node, schedule
 * — first page and a deep page); the runs page; a finished run's server log out of the 1,000,000
 * lines; and the run page of the 10,000-element run (page, API with its latest 5,000 events, and
 * its server log), checked to show the run's last element and last log line. Goals: p95 < 100 ms,
 * < 20 ms for the status API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { signInOverHttp } from '@/lib/api/sign-in-over-http';
import { findFreePort } from '@/lib/node/ports';
import { BenchNode } from './bench-node';
import { startClusterDatabase } from './cluster-database';
import { ms, summarize, yesNo } from './stats';

const PASSWORD = 'bench-root-password';
const MEMBERS = 64;
const RUNS = 100_000;
const LOG_LINES = 1_000_000;
const LONG_RUN_ELEMENTS = 10_000;

async function timeRequests(count: number, request: () => Promise<Response>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    samples.push(performance.now() - started);
  }
  return samples;
}

export type TSeededHistory = { nodeId: string; sparseNodeId: string; idleNodeId: string; scheduleId: string; longRun: string };

/**
 * A long-lived cluster's history, written straight into the database (the node named NODE_NAME
 * and the members must be registered): runs of three workflows a second apart, each executed by
 * that node, one in a thousand taken over by member-2, one in 500 fired by a schedule, ten
 * server-log lines a run, and one run of 10,000 elements.
 */
export async function seedHistory(pool: pg.Pool, nodeName: string): Promise<TSeededHistory> {
  await pool.query(
    `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, created_at, finished_at)
     SELECT gen_random_uuid(), 'History ' || (g % 3), 1, CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, '{}', '{}', 'work', 'bench',
            now() - make_interval(secs => $1 - g), now() - make_interval(secs => $1 - g - 1)
       FROM generate_series(1, $1) g`,
    [RUNS],
  );
  const nodeIdOf = async (name: string) =>
    (await pool.query<{ id: string }>(`SELECT id FROM cluster_node WHERE name = $1`, [name])).rows[0].id;
  const nodeId = await nodeIdOf(nodeName);
  // another member took over one run in a thousand; a third ran none
  const sparseNodeId = await nodeIdOf('member-2');
  const idleNodeId = await nodeIdOf('member-3');
  await pool.query(
    `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
     SELECT id, 'ELEMENT', 'work', 1, $1, 1, 'work' FROM workflow_run WHERE workflow_name LIKE 'History %'`,
    [nodeId],
  );
  await pool.query(
    `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
     SELECT id, 'RESUMED', 'work', 2, $1, 2, 'taken over' FROM workflow_run
      WHERE workflow_name LIKE 'History %' AND ('x' || substr(md5(id::text), 1, 8))::bit(32)::int % 1000 = 0`,
    [sparseNodeId],
  );
  // a paused schedule that fired one run in 500
  const scheduleId = (
    await pool.query<{ id: string }>(
      `INSERT INTO workflow_schedule (id, workflow_name, every_seconds, paused, anchor_at, next_fire_at, created_by)
       VALUES (gen_random_uuid(), 'History 1', 500, true, now(), now(), 'bench') RETURNING id`,
    )
  ).rows[0].id;
  await pool.query(
    `UPDATE workflow_run SET schedule_id = $1, scheduled_for = created_at
      WHERE workflow_name LIKE 'History %' AND ('x' || substr(md5(id::text), 1, 8))::bit(32)::int % 500 = 0`,
    [scheduleId],
  );
  // a long run, started an hour ago: 10,000 elements, two server-log lines each
  const longRun = (
    await pool.query<{ id: string }>(
      `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, created_at, finished_at)
       VALUES (gen_random_uuid(), 'Long', 1, 'COMPLETED', '{}', '{}', 'e' || $1::int, 'bench', now() - interval '1 hour', now())
       RETURNING id`,
      [LONG_RUN_ELEMENTS],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO workflow_run_event (run_id, at, kind, element_id, attempt, node_id, epoch, message, details)
     SELECT $1, now() - interval '1 hour' + make_interval(secs => g * 0.3), 'ELEMENT', 'e' || g, 1, $2, 1, 'element ' || g, '{"type":"log"}'
       FROM generate_series(1, $3) g`,
    [longRun, nodeId, LONG_RUN_ELEMENTS],
  );
  await pool.query(
    `INSERT INTO workflow_log_entry (run_id, level, message, element_id, node_id)
     SELECT $1, 'info', 'element ' || g || ' line ' || l, 'e' || g, $2 FROM generate_series(1, $3) g CROSS JOIN generate_series(1, 2) l
      ORDER BY g, l`,
    [longRun, nodeId, LONG_RUN_ELEMENTS],
  );
  await pool.query(
    `INSERT INTO workflow_log_entry (run_id, level, message, element_id, node_id)
     SELECT r.id, 'info', 'line ' || g, 'work', $2 FROM workflow_run r CROSS JOIN generate_series(1, $1 / ${RUNS}) g WHERE r.workflow_name LIKE 'History %'`,
    [LOG_LINES, nodeId],
  );
  return { nodeId, sparseNodeId, idleNodeId, scheduleId, longRun };
}

export async function runClusterPageBench(): Promise<boolean> {
  console.log(
    `== the console at scale: ${MEMBERS} registered members, ${RUNS} finished runs, ${LOG_LINES} server-log lines, production build ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: 1_000, failoverHeartbeats: 5 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-page-'));
  const node = new BenchNode({
    port: await findFreePort(),
    dataDir,
    rootPassword: PASSWORD,
    databaseUrl: database.url,
    name: 'bench-page',
  });
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  let keepAlive: NodeJS.Timeout | undefined;
  try {
    node.start();
    await node.waitForHealth((health) => health.state === 'ACTIVE', 'the node to be active');
    await pool.query(
      `INSERT INTO cluster_node (id, name, url, version)
       SELECT gen_random_uuid(), 'member-' || g, 'http://member-' || g || ':3000', '0.1.0' FROM generate_series(2, $1) g`,
      [MEMBERS],
    );
    const heartbeatMembers = () =>
      pool
        .query(
          `UPDATE cluster_node SET last_heartbeat_at = now(), recent_gaps_ms = recent_gaps_ms || 1000 WHERE name LIKE 'member-%'`,
        )
        .catch(() => {});
    keepAlive = setInterval(heartbeatMembers, 1_000);
    await heartbeatMembers();
    const filledAt = performance.now();
    const { nodeId, sparseNodeId, idleNodeId, scheduleId, longRun } = await seedHistory(pool, 'bench-page');
    await pool.query('ANALYZE');
    console.log(`  history written in ${((performance.now() - filledAt) / 1000) | 0} s`);

    const { cookie } = await signInOverHttp(node.url, 'root', PASSWORD);
    const basic = `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`;
    const created = await fetch(`${node.url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: '{"name":"bench"}',
    });
    const { token } = (await created.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    const page = () => fetch(`${node.url}/cluster`, { headers: { cookie } });
    const status = () => fetch(`${node.url}/api/cluster`, { headers: bearer });
    const runs = (query: string) => () => fetch(`${node.url}/api/runs?limit=100${query}`, { headers: bearer });
    const api = (route: string) => () => fetch(`${node.url}${route}`, { headers: bearer });
    const html = (route: string) => () => fetch(`${node.url}${route}`, { headers: { cookie } });
    const runAt = async (offset: number, where = 'true') =>
      (
        await pool.query<{ id: string }>(
          `SELECT id FROM workflow_run WHERE ${where} ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
          [offset],
        )
      ).rows[0].id;
    const deep = await runAt(RUNS / 2);
    const secondPage = await runAt(99);
    const historyRun = await runAt(RUNS / 4, `workflow_name LIKE 'History %'`);
    const deepFailed = await runAt(5_000, `status = 'FAILED'`);
    const deepWorkflow = await runAt(16_000, `workflow_name = 'History 1'`);
    const timed: { label: string; goalMs: number; request: () => Promise<Response> }[] = [
      { label: 'GET /cluster (server render)', goalMs: 100, request: page },
      { label: 'GET /api/cluster', goalMs: 20, request: status },
      { label: 'GET /workflows/runs (page)', goalMs: 100, request: html('/workflows/runs') },
      { label: 'GET /api/runs (newest 100)', goalMs: 100, request: runs('') },
      { label: '  … next page (?before=100th)', goalMs: 100, request: runs(`&before=${secondPage}`) },
      { label: '  … ?before=(50,000 runs deep)', goalMs: 100, request: runs(`&before=${deep}`) },
      { label: '  … ?status=FAILED', goalMs: 100, request: runs('&status=FAILED') },
      { label: '  … ?status=FAILED, 5,000 deep', goalMs: 100, request: runs(`&status=FAILED&before=${deepFailed}`) },
      { label: '  … ?status=RUNNING (none)', goalMs: 100, request: runs('&status=RUNNING') },
      { label: '  … ?workflow=History 1', goalMs: 100, request: runs(`&workflow=${encodeURIComponent('History 1')}`) },
      {
        label: '  … ?workflow=…, 16,000 deep',
        goalMs: 100,
        request: runs(`&workflow=${encodeURIComponent('History 1')}&before=${deepWorkflow}`),
      },
      { label: '  … ?node=(ran every run)', goalMs: 100, request: runs(`&node=${nodeId}`) },
      { label: '  … ?node=…, 50,000 deep', goalMs: 100, request: runs(`&node=${nodeId}&before=${deep}`) },
      { label: '  … ?node=(ran 1 run in 1,000)', goalMs: 100, request: runs(`&node=${sparseNodeId}`) },
      { label: '  … ?node=(ran none)', goalMs: 100, request: runs(`&node=${idleNodeId}`) },
      { label: '  … ?schedule=(1 run in 500)', goalMs: 100, request: runs(`&schedule=${scheduleId}`) },
      { label: 'GET /api/runs/:id/logs (of 1M)', goalMs: 100, request: api(`/api/runs/${historyRun}/logs`) },
      { label: 'GET /workflows/runs/:id (long)', goalMs: 100, request: html(`/workflows/runs/${longRun}`) },
      { label: 'GET /api/runs/:id (long run)', goalMs: 100, request: api(`/api/runs/${longRun}`) },
      { label: 'GET /api/runs/:id/logs (long)', goalMs: 100, request: api(`/api/runs/${longRun}/logs`) },
    ];

    // the run page of the long run shows where it is now: its last element and its last log line
    const detail = (await (await api(`/api/runs/${longRun}`)()).json()) as {
      events: { elementId: string | null }[];
      earlierEvents: number;
    };
    const logs = (await (await api(`/api/runs/${longRun}/logs`)()).json()) as { message: string }[];
    const showsLatest =
      detail.events.at(-1)?.elementId === `e${LONG_RUN_ELEMENTS}` &&
      logs.at(-1)?.message === `element ${LONG_RUN_ELEMENTS} line 2`;
    console.log(
      `  long run page: ${detail.events.length} events shown + ${detail.earlierEvents} earlier, last element ${detail.events.at(-1)?.elementId}; ${logs.length} log lines shown, last "${logs.at(-1)?.message}"`,
    );

    for (const { request } of timed) await timeRequests(5, request); // warm-up: fill caches
    let allOk = true;
    for (const { label, goalMs, request } of timed) {
      const times = summarize(await timeRequests(label.startsWith('GET /api/cluster') ? 300 : 100, request));
      const ok = times.p95 < goalMs;
      allOk &&= ok;
      console.log(
        `  ${label.padEnd(34)} n=${times.count}  p50 ${ms(times.p50)}  p95 ${ms(times.p95)}  max ${ms(times.max)}  goal p95 < ${goalMs} ms: ${yesNo(ok)}`,
      );
    }
    console.log(
      `  goals                              every p95 within its goal: ${yesNo(allOk)}; the long run's page shows its last element and log line: ${yesNo(showsLatest)}`,
    );
    return allOk && showsLatest;
  } finally {
    clearInterval(keepAlive);
    await pool.end().catch(() => {});
    await node.stop().catch(() => {});
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
