/**
 * Workflows (issue 7), on real node processes and one real PostgreSQL:
 *  - checkpointed elements per second (trivial elements: set variable and decision in a loop) on
 *    one node and on two active nodes, next to the raw PostgreSQL floor measured in the same
 *    run: loops of one-statement checkpoints (update the run and insert its event in one CTE),
 *    on one connection and on as many connections as a node runs runs at once;
 *  - resume latency at 1 s × 3: kill -9 of the node that owns a run, until another node has
 *    resumed it (its RESUMED event), next to pg-boss 10 (the newest that runs on Node 20) as a
 *    peer with its shortest sensible settings (a job expires 10 s after its worker took it,
 *    maintenanceIntervalSeconds 1, pollingIntervalSeconds 0.5): kill -9 of the worker running a
 *    job, until another worker runs it again.
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
import { seconds, sleep, summarize, yesNo } from './stats';

export type TWorkflowBenchOptions = { kills: number };

const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const PASSWORD = 'bench-root-password';
/** a node's default maximum of concurrent runs (server setting maxConcurrentRuns) */
const RUNS_PER_NODE = 10;
const MEASURE_MS = 5_000;
const WARMUP_MS = 1_500;
const PEER_KILLS_MAX = 3;
/** issue 21: checkpointed elements/s on one node against the raw floor at the same concurrency */
const FLOOR_GOAL_PERCENT = 80;

const SPIN = {
  name: 'Bench Spin',
  inputs: [{ name: 'n', type: 'number', default: 1_000_000 }],
  elements: [
    { id: 'init', type: 'set', variable: 'i', expression: '0' },
    { id: 'step', type: 'set', variable: 'i', expression: 'i + 1' },
    { id: 'again', type: 'decision', condition: 'i < n', then: 'step', else: 'done' },
    { id: 'done', type: 'end' },
  ],
};

const TICK = {
  name: 'Bench Tick',
  elements: [
    { id: 'wait', type: 'sleep', seconds: 0.2 },
    { id: 'count', type: 'set', variable: 'i', expression: '1', next: 'wait' },
  ],
};

const FLOOR_SQL = `
WITH run AS (
  UPDATE workflow_run SET step = step + 1, element_id = $2, attempt = 1, variables = $3::jsonb, updated_at = now()
   WHERE id = $1 AND status = 'RUNNING'
  RETURNING id
)
INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, message) SELECT id, 'ELEMENT', $2, 1, NULL FROM run`;

async function api(node: BenchNode, pathname: string, body: unknown): Promise<{ id?: string }> {
  const response = await fetch(`${node.url}${pathname}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id?: string; error?: { message: string } };
  if (!response.ok) throw new Error(`${pathname}: HTTP ${response.status} ${json.error?.message ?? ''}`);
  return json;
}

async function withPool<T>(url: string, size: number, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: size });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** Checkpoints per second of `loops` loops, each on its own connection and run row, for MEASURE_MS. */
async function measureFloor(url: string, loops: number): Promise<number> {
  return withPool(url, loops, async (pool) => {
    const ids: string[] = [];
    for (let i = 0; i < loops; i += 1) {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by)
         VALUES (gen_random_uuid(), 'floor', 1, 'RUNNING', '{}', '{}', 'step', 'bench') RETURNING id`,
      );
      ids.push(rows[0].id);
    }
    let count = 0;
    const end = performance.now() + MEASURE_MS;
    await Promise.all(
      ids.map(async (id) => {
        const client = await pool.connect();
        try {
          let i = 0;
          while (performance.now() < end) {
            await client.query({
              name: 'floor',
              text: FLOOR_SQL,
              values: [id, i % 2 ? 'step' : 'again', JSON.stringify({ i, n: 1_000_000 })],
            });
            i += 1;
            count += 1;
          }
        } finally {
          client.release();
        }
      }),
    );
    await pool.query(`UPDATE workflow_run SET status = 'COMPLETED', finished_at = now() WHERE workflow_name = 'floor'`);
    return count / (MEASURE_MS / 1000);
  });
}

/** Elements per second the running nodes checkpoint (every checkpoint bumps a run's step), over MEASURE_MS. */
async function measureRunners(url: string): Promise<number> {
  return withPool(url, 1, async (pool) => {
    const steps = async () =>
      Number(
        (
          await pool.query<{ s: string }>(
            `SELECT coalesce(sum(step), 0)::bigint AS s FROM workflow_run WHERE workflow_name = $1`,
            [SPIN.name],
          )
        ).rows[0].s,
      );
    await sleep(WARMUP_MS);
    const before = await steps();
    const startedAt = performance.now();
    await sleep(MEASURE_MS);
    const after = await steps();
    return (after - before) / ((performance.now() - startedAt) / 1000);
  });
}

/**
 * Ends every run still going, while the nodes are still checkpointing: its rows are locked by id
 * first, the order every writer of several runs keeps (lib/workflow/checkpoint-batch.ts, "Lock
 * order"), so that it cannot deadlock with a checkpoint batch.
 */
async function cancelAll(url: string): Promise<void> {
  await withPool(url, 1, (pool) =>
    pool.query(
      `WITH going AS MATERIALIZED (SELECT id FROM workflow_run WHERE status IN ('PENDING', 'RUNNING') ORDER BY id FOR UPDATE)
       UPDATE workflow_run r SET status = 'CANCELLED', finished_at = now(), owner_node = NULL
         FROM going WHERE r.id = going.id AND r.status IN ('PENDING', 'RUNNING')`,
    ),
  );
}

async function startNodes(database: TClusterDatabase, count: number, dataDirs: string[], prefix: string): Promise<BenchNode[]> {
  const nodes: BenchNode[] = [];
  for (let i = 0; i < count; i += 1) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-wf-'));
    dataDirs.push(dataDir);
    nodes.push(
      new BenchNode({
        port: await findFreePort(),
        dataDir,
        databaseUrl: database.url,
        name: `${prefix}-${i + 1}`,
        rootPassword: PASSWORD,
      }),
    );
  }
  return nodes;
}

async function throughput(dataDirs: string[]): Promise<{ floor1: number; floorN: number; one: number; two: number }> {
  const database = await startClusterDatabase({ heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
  await withPool(database.url, 1, (pool) => pool.query('UPDATE cluster SET active_node_count = 2'));
  const nodes = await startNodes(database, 2, dataDirs, 'wf');
  try {
    const floor1 = await measureFloor(database.url, 1);
    const floorN = await measureFloor(database.url, RUNS_PER_NODE);
    console.log(
      `  raw PostgreSQL floor: ${floor1.toFixed(0)} checkpoints/s on 1 connection, ${floorN.toFixed(0)}/s on ${RUNS_PER_NODE}`,
    );

    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    await api(nodes[0], '/api/workflows', SPIN);
    for (let i = 0; i < RUNS_PER_NODE; i += 1)
      await api(nodes[0], `/api/workflows/${encodeURIComponent(SPIN.name)}/runs`, { inputs: {} });
    const one = await measureRunners(database.url);
    await cancelAll(database.url);
    console.log(`  one node, ${RUNS_PER_NODE} runs: ${one.toFixed(0)} elements/s`);

    nodes[1].start();
    await nodes[1].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    for (let i = 0; i < 2 * RUNS_PER_NODE; i += 1)
      await api(nodes[i % 2], `/api/workflows/${encodeURIComponent(SPIN.name)}/runs`, { inputs: {} });
    const two = await measureRunners(database.url);
    await cancelAll(database.url);
    console.log(`  two active nodes, ${2 * RUNS_PER_NODE} runs: ${two.toFixed(0)} elements/s`);
    return { floor1, floorN, one, two };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await database.stop();
  }
}

async function resumeLatency(kills: number, dataDirs: string[]): Promise<number[]> {
  const database = await startClusterDatabase({ heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
  const nodes = await startNodes(database, 2, dataDirs, 'resume');
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    nodes[1].start();
    await nodes[1].waitForHealth((health) => health.state === 'STANDBY', 'STANDBY');
    await api(nodes[0], '/api/workflows', TICK);
    const { id } = await api(nodes[0], `/api/workflows/${encodeURIComponent(TICK.name)}/runs`, { inputs: {} });
    const resumes = async () =>
      Number(
        (
          await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM workflow_run_event WHERE run_id = $1 AND kind IN ('RESUMED', 'STARTED')`,
            [id],
          )
        ).rows[0].n,
      );
    const owner = async () =>
      (
        await pool.query<{ name: string | null }>(
          `SELECT n.name FROM workflow_run r LEFT JOIN cluster_node n ON n.id = r.owner_node WHERE r.id = $1`,
          [id],
        )
      ).rows[0].name;
    while ((await resumes()) === 0) await sleep(50);
    const samples: number[] = [];
    for (let round = 1; round <= kills; round += 1) {
      await sleep(Math.random() * INTERVAL_MS);
      const ownerName = await owner();
      const victim = nodes.find((node) => node.label === ownerName);
      if (!victim) throw new Error(`the run's owner ${ownerName} is not a benchmark node`);
      const before = await resumes();
      const gone = victim.kill();
      const killedAt = performance.now();
      while ((await resumes()) === before) {
        if (performance.now() - killedAt > 30_000) throw new Error('the run was not resumed within 30 s');
        await sleep(20);
      }
      const elapsed = performance.now() - killedAt;
      samples.push(elapsed);
      await gone;
      console.log(`  kill ${round}: owner ${victim.label} killed → resumed by ${await owner()} after ${seconds(elapsed)}`);
      victim.start();
      await victim.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY');
    }
    return samples;
  } finally {
    await pool.end();
    await Promise.all(nodes.map((node) => node.stop()));
    await database.stop();
  }
}

type TWorker = { child: ChildProcess; started: Map<string, number>; exited: Promise<void> };

function startWorker(url: string, queue: string): Promise<TWorker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'bench', 'pg-boss-worker.ts'), queue],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: inheritedEnv({ DATABASE_URL: url }),
    },
  );
  const worker: TWorker = { child, started: new Map(), exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, newline)) as { started?: string; ready?: number };
        buffer = buffer.slice(newline + 1);
        if (line.started) worker.started.set(line.started, performance.now());
        if (line.ready) resolve(worker);
      }
    });
    child.once('exit', (code) => reject(new Error(`pg-boss worker exited (${code}) before it was ready`)));
  });
}

async function peerResumeLatency(database: { adminUrl: string }, kills: number): Promise<number[]> {
  const admin = new pg.Client({ connectionString: database.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE pgboss_bench');
  await admin.end();
  const url = new URL(database.adminUrl);
  url.pathname = '/pgboss_bench';
  const queue = 'bench-long-jobs';
  const boss = new PgBoss({ connectionString: url.toString(), maintenanceIntervalSeconds: 1, max: 2 });
  boss.on('error', () => {});
  await boss.start();
  // pg-boss 10 has no worker heartbeat: a dead worker's job runs again once it expires
  await boss.createQueue(queue, { name: queue, retryLimit: 100, retryDelay: 0, expireInSeconds: 10 });
  const samples: number[] = [];
  let workers: TWorker[] = [];
  try {
    for (let round = 1; round <= kills; round += 1) {
      // fresh workers each round: a worker stays busy with the job it took over (batchSize 1)
      workers = [await startWorker(url.toString(), queue), await startWorker(url.toString(), queue)];
      const jobId = (await boss.send(queue, { round }))!;
      let holder: TWorker | undefined;
      while (!(holder = workers.find((worker) => worker.started.has(jobId)))) await sleep(20);
      await sleep(Math.random() * 1_000);
      holder.child.kill('SIGKILL');
      const killedAt = performance.now();
      await holder.exited;
      const other = workers.find((worker) => worker !== holder)!;
      while (!other.started.has(jobId)) {
        if (performance.now() - killedAt > 60_000) throw new Error('pg-boss did not run the job again within 60 s');
        await sleep(20);
      }
      const elapsed = other.started.get(jobId)! - killedAt;
      samples.push(elapsed);
      console.log(`  pg-boss kill ${round}: worker killed → job running again on the other worker after ${seconds(elapsed)}`);
      await boss.cancel(queue, jobId);
      other.child.kill('SIGKILL');
      await other.exited;
    }
    return samples;
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await boss.stop({ graceful: false, timeout: 1_000 }).catch(() => {});
  }
}

export async function runWorkflowBench(options: TWorkflowBenchOptions): Promise<boolean> {
  const kills = Math.min(options.kills, 5);
  console.log(
    `== workflows: checkpointed elements per second; resume after kill -9 at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS}, ${kills} kills, next to pg-boss ==`,
  );
  const dataDirs: string[] = [];
  const removeDataDirs = async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const forget = onInterrupt(removeDataDirs);
  try {
    const rates = await throughput(dataDirs);
    const ours = summarize(await resumeLatency(kills, dataDirs));
    const peerDatabase = await startClusterDatabase({
      heartbeatIntervalMs: INTERVAL_MS,
      failoverHeartbeats: FAILOVER_HEARTBEATS,
    });
    let peer: ReturnType<typeof summarize>;
    try {
      peer = summarize(await peerResumeLatency(peerDatabase, Math.min(kills, PEER_KILLS_MAX)));
    } finally {
      await peerDatabase.stop();
    }

    const pct = (value: number, of: number) => `${((100 * value) / of).toFixed(0)} %`;
    const oneOk = rates.one >= (FLOOR_GOAL_PERCENT / 100) * rates.floorN;
    const resumeOk = ours.max <= WINDOW_MS + INTERVAL_MS && ours.p50 < peer.p50;
    console.log('');
    console.log('  figure                                   value            vs floor (same concurrency / 1 connection)');
    console.log(`  raw floor, 1 connection                  ${rates.floor1.toFixed(0).padStart(6)} /s`);
    console.log(`  raw floor, ${RUNS_PER_NODE} connections                ${rates.floorN.toFixed(0).padStart(6)} /s`);
    console.log(
      `  one node, ${RUNS_PER_NODE} runs                       ${rates.one.toFixed(0).padStart(6)} /s        ${pct(rates.one, rates.floorN)} / ${pct(rates.one, rates.floor1)}`,
    );
    console.log(
      `  two active nodes, ${2 * RUNS_PER_NODE} runs               ${rates.two.toFixed(0).padStart(6)} /s        ${pct(rates.two, rates.floorN)} / ${pct(rates.two, rates.floor1)}`,
    );
    console.log(
      `  resume after kill -9 (ours)   n=${ours.count}  median ${seconds(ours.p50)}  p95 ${seconds(ours.p95)}  max ${seconds(ours.max)}`,
    );
    console.log(
      `  re-run after kill -9 (pg-boss) n=${peer.count}  median ${seconds(peer.p50)}  p95 ${seconds(peer.p95)}  max ${seconds(peer.max)}`,
    );
    console.log(
      `  goals                   one node ≥ ${FLOOR_GOAL_PERCENT} % of the floor at the same concurrency: ${yesNo(oneOk)}; ` +
        `every resume ≤ window + interval (${seconds(WINDOW_MS + INTERVAL_MS)}) and median faster than pg-boss: ${yesNo(resumeOk)}`,
    );
    console.log(
      `checkpointed elements/s: ${rates.one.toFixed(0)} on one node, floor ${rates.floorN.toFixed(0)} at the same concurrency, ${pct(rates.one, rates.floorN)} (goal ≥ ${FLOOR_GOAL_PERCENT} %)`,
    );
    return oneOk && resumeOk;
  } finally {
    forget();
    await removeDataDirs();
  }
}
