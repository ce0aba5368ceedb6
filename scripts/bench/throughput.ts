/**
 * Throughput (issue 21), side by side in one run, on the same PostgreSQL server, machine and
 * concurrency:
 *  - graphile-worker (tuned: local queue, batched completion) draining JOBS trivial jobs;
 *  - pg-boss (as many workers as the concurrency, each taking batches of that size; pg-boss 10
 *    waits its polling interval between batches) draining the same number of jobs;
 *  - this product draining JOBS one-element runs and JOBS / 10 ten-element runs on one node,
 *    every element checkpointed under the epoch (submit → COMPLETED);
 *  - submissions through the HTTP API: runs accepted per second with 10 clients.
 * Each drain is timed from the commit of the batch that submits the work until the last piece
 * is finished (the bench polls the database every POLL_MS, so each figure can be up to that late).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { inheritedEnv } from '@/lib/env';
import { findFreePort } from '@/lib/node/ports';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { BenchNode } from './bench-node';
import { startClusterDatabase, type TClusterDatabase } from './cluster-database';
import { onInterrupt } from './interrupt';
import { sleep, yesNo } from './stats';

export type TThroughputBenchOptions = { jobs: number };

const PASSWORD = 'bench-root-password';
/** a node's default maximum of concurrent runs (server setting maxConcurrentRuns): the peers get the same */
const CONCURRENCY = 10;
const POLL_MS = 50;
const DRAIN_TIMEOUT_MS = 15 * 60_000;
const SUBMIT_CLIENTS = 10;
const SUBMIT_SECONDS = 5;

const ONE_ELEMENT = { name: 'Bench One', elements: [{ id: 'work', type: 'set', variable: 'x', expression: '1' }] };
const TEN_ELEMENTS = {
  name: 'Bench Ten',
  elements: Array.from({ length: 10 }, (_, i) => ({ id: `work${i + 1}`, type: 'set', variable: 'x', expression: String(i + 1) })),
};

type TRate = { count: number; ms: number; perSecond: number };

const rate = (count: number, ms: number): TRate => ({ count, ms, perSecond: (count * 1000) / ms });

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls `remaining` until it answers 0; the time from `startedAt` to that answer. */
async function drained(what: string, startedAt: number, remaining: () => Promise<number>): Promise<number> {
  for (;;) {
    if ((await remaining()) === 0) return performance.now() - startedAt;
    if (performance.now() - startedAt > DRAIN_TIMEOUT_MS)
      throw new Error(`${what} did not drain within ${DRAIN_TIMEOUT_MS / 60_000} minutes`);
    await sleep(POLL_MS);
  }
}

/**
 * Vacuums the database a drain just used, untimed: otherwise the autovacuum of its 10,000 dead
 * rows runs during the next drain, on the same two cores, and charges one side's clean-up to
 * the other (on a loaded machine the ratio read 0.83-1.05 without it, 1.3-2.8 for the same
 * drains with graphile-worker's database dropped right after its drain).
 */
async function settle(client: pg.Client): Promise<void> {
  await client.query('VACUUM (ANALYZE)');
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function startChild(script: string, url: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'bench', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: inheritedEnv({ DATABASE_URL: url }),
  });
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors = (errors + chunk).slice(-4_000)));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('"ready"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${errors}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function graphileWorker(database: TClusterDatabase, jobs: number): Promise<TRate> {
  const url = await createDatabase(database.adminUrl, 'graphile_bench');
  const worker = await startChild('graphile-worker-drain.ts', url, [String(CONCURRENCY)]);
  try {
    return await withClient(url, async (client) => {
      const startedAt = performance.now();
      // one statement adds them all, as graphile-worker's own addJobs does
      await client.query(
        `SELECT graphile_worker.add_jobs(array_agg(json_populate_record(NULL::graphile_worker.job_spec, json_build_object('identifier', 'trivial', 'payload', '{}'::json))))
           FROM generate_series(1, $1)`,
        [jobs],
      );
      const ms = await drained('graphile-worker', startedAt, async () =>
        Number((await client.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs')).rows[0].n),
      );
      await settle(client);
      return rate(jobs, ms);
    });
  } finally {
    await stopChild(worker);
  }
}

async function pgBoss(database: TClusterDatabase, jobs: number): Promise<TRate> {
  const url = await createDatabase(database.adminUrl, 'pgboss_throughput');
  const queue = 'bench-trivial';
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue(queue, { name: queue });
  const worker = await startChild('pg-boss-drain.ts', url, [queue, String(CONCURRENCY)]);
  try {
    return await withClient(url, async (client) => {
      const startedAt = performance.now();
      await boss.insert(Array.from({ length: jobs }, () => ({ name: queue, data: {} })));
      const ms = await drained('pg-boss', startedAt, async () =>
        Number(
          (await client.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'`, [queue]))
            .rows[0].n,
        ),
      );
      return rate(jobs, ms);
    });
  } finally {
    await stopChild(worker);
    await boss.stop({ graceful: false, timeout: 1_000 }).catch(() => {});
  }
}

const BASIC = `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`;

async function api(node: BenchNode, pathname: string, body: unknown, authorization = BASIC): Promise<unknown> {
  const response = await fetch(`${node.url}${pathname}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${pathname}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Submits `count` runs of a workflow in one statement (what the API writes for each: the PENDING run and its CREATED event), then times the drain. */
async function drainRuns(url: string, workflow: { name: string; elements: { id: string }[] }, count: number): Promise<TRate> {
  return withClient(url, async (client) => {
    const startedAt = performance.now();
    await client.query(
      `WITH runs AS (
         INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by)
         SELECT gen_random_uuid(), $1, (SELECT max(version) FROM workflow_definition WHERE name = $1), 'PENDING', '{}', '{}', $2, 'bench'
           FROM generate_series(1, $3)
         RETURNING id)
       INSERT INTO workflow_run_event (run_id, kind, message) SELECT id, 'CREATED', 'started by bench' FROM runs`,
      [workflow.name, workflow.elements[0].id, count],
    );
    const ms = await drained(workflow.name, startedAt, async () =>
      Number(
        (
          await client.query(
            `SELECT count(*)::int AS n FROM workflow_run WHERE workflow_name = $1 AND status IN ('PENDING', 'RUNNING')`,
            [workflow.name],
          )
        ).rows[0].n,
      ),
    );
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_run WHERE workflow_name = $1 AND status <> 'COMPLETED'`,
      [workflow.name],
    );
    if (rows[0].n > 0) throw new Error(`${rows[0].n} run(s) of ${workflow.name} ended other than COMPLETED`);
    return rate(count, ms);
  });
}

/**
 * Runs accepted per second through POST /api/workflows/NAME/runs with SUBMIT_CLIENTS clients, for
 * SUBMIT_SECONDS, authenticated as scripts do: with an API token (a password is checked with a
 * deliberately slow hash on every request).
 */
async function submissions(node: BenchNode): Promise<TRate> {
  const path = `/api/workflows/${encodeURIComponent(ONE_ELEMENT.name)}/runs`;
  const { token } = (await api(node, '/api/tokens', { name: 'throughput bench' })) as { token: string };
  const bearer = `Bearer ${token}`;
  let accepted = 0;
  const startedAt = performance.now();
  const end = startedAt + SUBMIT_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: SUBMIT_CLIENTS }, async () => {
      while (performance.now() < end) {
        await api(node, path, { inputs: {} }, bearer);
        accepted += 1;
      }
    }),
  );
  return rate(accepted, performance.now() - startedAt);
}

/** This product's node, ACTIVE, with the two workflows and warmed up, so that its drains can follow graphile-worker's at once. */
async function startProduct(database: TClusterDatabase, dataDirs: string[]): Promise<BenchNode> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-tp-'));
  dataDirs.push(dataDir);
  const node = new BenchNode({
    port: await findFreePort(),
    dataDir,
    databaseUrl: database.url,
    name: 'throughput-1',
    rootPassword: PASSWORD,
  });
  node.start();
  try {
    await node.waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    console.log('  this product: one node ACTIVE');
    await api(node, '/api/workflows', ONE_ELEMENT);
    await api(node, '/api/workflows', TEN_ELEMENTS);
    // a short warm-up, so that the first figures do not include compiling the hot paths
    await drainRuns(database.url, ONE_ELEMENT, 100);
    await withClient(database.url, settle);
    return node;
  } catch (error) {
    await node.stop();
    throw error;
  }
}

async function product(
  database: TClusterDatabase,
  node: BenchNode,
  jobs: number,
): Promise<{ one: TRate; ten: TRate; submitted: TRate }> {
  const one = await drainRuns(database.url, ONE_ELEMENT, jobs);
  const ten = await drainRuns(database.url, TEN_ELEMENTS, Math.max(1, Math.round(jobs / 10)));
  const submitted = await submissions(node);
  return { one, ten, submitted };
}

export async function runThroughputBench(options: TThroughputBenchOptions): Promise<boolean> {
  const { jobs } = options;
  console.log(
    `== throughput: ${jobs} one-element runs, ${Math.round(jobs / 10)} ten-element runs, next to graphile-worker and pg-boss draining ${jobs} jobs, all at concurrency ${CONCURRENCY} on one PostgreSQL ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: 1_000, failoverHeartbeats: 3 });
  const dataDirs: string[] = [];
  const forget = onInterrupt(async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  try {
    // graphile-worker's drain and this product's follow each other at once (the node started and
    // warmed up before; idle, it claims nothing, a few empty claims a second), so that the ratio
    // compares two drains under the same load from others on the machine; pg-boss comes after
    const node = await startProduct(database, dataDirs);
    let ours: Awaited<ReturnType<typeof product>>;
    let graphile: TRate;
    try {
      graphile = await graphileWorker(database, jobs);
      console.log(`  graphile-worker: ${jobs} jobs in ${(graphile.ms / 1000).toFixed(2)} s`);
      ours = await product(database, node, jobs);
    } finally {
      await node.stop();
    }
    const boss = await pgBoss(database, jobs);
    console.log(`  pg-boss: ${jobs} jobs in ${(boss.ms / 1000).toFixed(2)} s`);
    console.log(
      `  this product: ${ours.one.count} one-element runs in ${(ours.one.ms / 1000).toFixed(2)} s, ${ours.ten.count} ten-element runs in ${(ours.ten.ms / 1000).toFixed(2)} s`,
    );

    const ratio = ours.one.perSecond / graphile.perSecond;
    const ok = ratio >= 1;
    console.log('');
    console.log('  figure                                         value');
    console.log(`  graphile-worker 0.17 (local queue, batched)    ${graphile.perSecond.toFixed(0).padStart(7)} jobs/s`);
    console.log(
      `  pg-boss 10 (${CONCURRENCY} workers × batch ${CONCURRENCY})              ${boss.perSecond.toFixed(0).padStart(7)} jobs/s`,
    );
    console.log(`  one-element runs, one node                     ${ours.one.perSecond.toFixed(0).padStart(7)} runs/s`);
    console.log(
      `  ten-element runs, one node                     ${ours.ten.perSecond.toFixed(0).padStart(7)} runs/s  (${(ours.ten.perSecond * 10).toFixed(0)} elements/s)`,
    );
    console.log(
      `  runs accepted by the API, ${SUBMIT_CLIENTS} clients           ${ours.submitted.perSecond.toFixed(0).padStart(7)} runs/s`,
    );
    console.log(`  goal                   one-element runs/s ≥ graphile-worker's jobs/s: ${yesNo(ok)}`);
    console.log(
      `throughput: ${ours.one.perSecond.toFixed(0)} one-element runs/s, ${graphile.perSecond.toFixed(0)} graphile-worker jobs/s, ratio ${ratio.toFixed(2)}`,
    );
    return ok;
  } finally {
    await database.stop();
    forget();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
