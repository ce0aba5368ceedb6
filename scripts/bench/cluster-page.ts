/**
 * The console at scale: 64 registered members (one real node, 63 members kept alive by
 * heartbeating their rows), 100,000 finished runs and 1,000,000 server-log lines in the
 * database. Timed: the cluster page's full server response, the status API, and the runs list
 * (newest page, filtered by status, by workflow, by node, and a page deep in the history through
 * its cursor). Goals: p95 < 100 ms for the page and each runs list, < 20 ms for the status API.
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
    // a long-lived cluster's history: runs of three workflows a second apart, the node's own
    // runs among them (its events), and ten log lines a run
    await pool.query(
      `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, created_at, finished_at)
       SELECT gen_random_uuid(), 'History ' || (g % 3), 1, CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, '{}', '{}', 'work', 'bench',
              now() - make_interval(secs => $1 - g), now() - make_interval(secs => $1 - g - 1)
         FROM generate_series(1, $1) g`,
      [RUNS],
    );
    const nodeId = (await pool.query<{ id: string }>(`SELECT id FROM cluster_node WHERE name = 'bench-page'`)).rows[0].id;
    await pool.query(
      `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
       SELECT id, 'ELEMENT', 'work', 1, $1, 1, 'work' FROM workflow_run WHERE workflow_name LIKE 'History %'`,
      [nodeId],
    );
    await pool.query(
      `INSERT INTO workflow_log_entry (run_id, level, message, element_id, node_id)
       SELECT r.id, 'info', 'line ' || g, 'work', $2 FROM workflow_run r CROSS JOIN generate_series(1, $1 / ${RUNS}) g WHERE r.workflow_name LIKE 'History %'`,
      [LOG_LINES, nodeId],
    );
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
    const middle = (
      await pool.query<{ id: string }>(`SELECT id FROM workflow_run ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`, [
        RUNS / 2,
      ])
    ).rows[0].id;
    const lists: [string, () => Promise<Response>][] = [
      ['GET /api/runs (newest 100)     ', runs('')],
      ['  … ?status=FAILED              ', runs('&status=FAILED')],
      ['  … ?workflow=History 1         ', runs(`&workflow=${encodeURIComponent('History 1')}`)],
      ['  … ?node=(the node)            ', runs(`&node=${nodeId}`)],
      ['  … ?before=(50,000 runs deep)  ', runs(`&before=${middle}`)],
    ];

    await timeRequests(20, page); // warm-up: first renders compile nothing, but fill caches
    await timeRequests(20, status);
    for (const [, request] of lists) await timeRequests(5, request);
    const pageTimes = summarize(await timeRequests(200, page));
    const statusTimes = summarize(await timeRequests(500, status));
    const pageOk = pageTimes.p95 < 100;
    const statusOk = statusTimes.p95 < 20;
    console.log(
      `  GET /cluster (server render)   n=${pageTimes.count}  p50 ${ms(pageTimes.p50)}  p95 ${ms(pageTimes.p95)}  max ${ms(pageTimes.max)}`,
    );
    console.log(
      `  GET /api/cluster               n=${statusTimes.count}  p50 ${ms(statusTimes.p50)}  p95 ${ms(statusTimes.p95)}  max ${ms(statusTimes.max)}`,
    );
    let listsOk = true;
    for (const [label, request] of lists) {
      const times = summarize(await timeRequests(100, request));
      listsOk &&= times.p95 < 100;
      console.log(`  ${label} n=${times.count}  p50 ${ms(times.p50)}  p95 ${ms(times.p95)}  max ${ms(times.max)}`);
    }
    console.log(
      `  goals                          page p95 < 100 ms: ${yesNo(pageOk)}; status API p95 < 20 ms: ${yesNo(statusOk)}; every runs list p95 < 100 ms: ${yesNo(listsOk)}`,
    );
    return pageOk && statusOk && listsOk;
  } finally {
    clearInterval(keepAlive);
    await pool.end().catch(() => {});
    await node.stop().catch(() => {});
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
