/**
 * The cluster page and the status API with 50 registered members (one real node, 49 members
 * kept alive by heartbeating their rows): the page's full server response, and the status API's
 * p95. Goals: page < 200 ms, status API p95 < 20 ms.
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
const MEMBERS = 50;

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
  console.log(`== cluster page and status API: ${MEMBERS} registered members, production build ==`);
  const database = await startClusterDatabase({ heartbeatIntervalMs: 1_000, failoverHeartbeats: 5 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-page-'));
  const node = new BenchNode({ port: await findFreePort(), dataDir, rootPassword: PASSWORD, databaseUrl: database.url, name: 'bench-page' });
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
      pool.query(`UPDATE cluster_node SET last_heartbeat_at = now(), recent_gaps_ms = recent_gaps_ms || 1000 WHERE name LIKE 'member-%'`).catch(() => {});
    keepAlive = setInterval(heartbeatMembers, 1_000);
    await heartbeatMembers();

    const { cookie } = await signInOverHttp(node.url, 'root', PASSWORD);
    const basic = `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`;
    const created = await fetch(`${node.url}/api/tokens`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{"name":"bench"}' });
    const { token } = (await created.json()) as { token: string };
    const page = () => fetch(`${node.url}/cluster`, { headers: { cookie } });
    const status = () => fetch(`${node.url}/api/cluster`, { headers: { authorization: `Bearer ${token}` } });

    await timeRequests(20, page); // warm-up: first renders compile nothing, but fill caches
    await timeRequests(20, status);
    const pageTimes = summarize(await timeRequests(200, page));
    const statusTimes = summarize(await timeRequests(500, status));
    const pageOk = pageTimes.p95 < 200;
    const statusOk = statusTimes.p95 < 20;
    console.log(`  GET /cluster (server render)   n=${pageTimes.count}  p50 ${ms(pageTimes.p50)}  p95 ${ms(pageTimes.p95)}  max ${ms(pageTimes.max)}`);
    console.log(`  GET /api/cluster               n=${statusTimes.count}  p50 ${ms(statusTimes.p50)}  p95 ${ms(statusTimes.p95)}  max ${ms(statusTimes.max)}`);
    console.log(`  goals                          page p95 < 200 ms: ${yesNo(pageOk)}; status API p95 < 20 ms: ${yesNo(statusOk)}`);
    return pageOk && statusOk;
  } finally {
    clearInterval(keepAlive);
    await pool.end().catch(() => {});
    await node.stop().catch(() => {});
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
