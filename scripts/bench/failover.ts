/**
 * Failover: real nodes on one shared PostgreSQL at 1 s × 3 (or --interval × --heartbeats). The
 * active node is killed with kill -9 (its whole process group), and the time until another
 * node's /api/health says ACTIVE is measured; the killed node is then started again and must come
 * back as STANDBY. Then the cluster is watched for --watch seconds with nothing killed. All the
 * while a steady stream of workflow runs is submitted, and every failover the kills did not cause
 * is counted as false: a live node that fenced itself (FENCED) or a slot taken more often
 * (BECAME_ACTIVE) than the first start and the kills explain.
 *
 * Resume: a run of many elements (a short sleep in a loop) runs on the active node throughout, so
 * every kill is also the kill of a node with a run in flight; the time from the kill until
 * another node resumed it (its RESUMED event) is measured too, and the run must go on from its
 * last checkpoint (its step never goes back).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { THealth } from '@/lib/cluster/health';
import { findFreePort } from '@/lib/node/ports';
import { BenchNode } from './bench-node';
import { startClusterDatabase } from './cluster-database';
import { onInterrupt } from './interrupt';
import { seconds, sleep, summarize, yesNo } from './stats';

export type TFailoverBenchOptions = { kills: number; intervalMs: number; heartbeats: number; watchSeconds: number };

const NODE_COUNT = 3;
const POLL_MS = 10;
/** runs submitted per second to whichever node answers, while the bench runs */
const STREAM_PER_SECOND = 20;
const STREAM_WORKFLOW = { name: 'Bench Stream', elements: [{ id: 'work', type: 'set', variable: 'x', expression: '1' }] };
/** the run every kill interrupts: one checkpoint every few tens of milliseconds, for ever */
const RESUME_WORKFLOW = {
  name: 'Bench Resume',
  elements: [
    { id: 'wait', type: 'sleep', seconds: 0.05 },
    { id: 'count', type: 'set', variable: 'i', expression: '1', next: 'wait' },
  ],
};
/** resume's goal is the window plus this (issue 21) */
const RESUME_SLACK_MS = 200;
const TAKEOVER_TIMEOUT_MS = 30_000;
const PASSWORD = 'bench-root-password';

export type TActive = { node: BenchNode; health: THealth };

/** The one node that reports ACTIVE; waits while there is none (a hand-over in progress). */
export async function findActive(nodes: BenchNode[]): Promise<TActive> {
  const deadline = performance.now() + TAKEOVER_TIMEOUT_MS;
  for (;;) {
    const answers = await Promise.all(nodes.map(async (node) => ({ node, health: await node.health() })));
    const active = answers.filter((answer): answer is TActive => answer.health?.state === 'ACTIVE');
    if (active.length > 1) throw new Error(`${active.map((a) => a.node.label).join(' and ')} all report ACTIVE`);
    if (active.length === 1) return active[0];
    if (performance.now() > deadline)
      throw new Error(`no node is ACTIVE: ${answers.map((a) => `${a.node.label} ${a.health?.state ?? 'no answer'}`).join(', ')}`);
    await sleep(POLL_MS);
  }
}

/** Polls the survivors every POLL_MS until one says ACTIVE; the time is taken when that answer arrives. */
export async function waitForTakeover(survivors: BenchNode[], killedAt: number): Promise<TActive & { elapsedMs: number }> {
  for (;;) {
    const polledAt = performance.now();
    const answers = await Promise.all(survivors.map(async (node) => ({ node, health: await node.health(500) })));
    const elapsedMs = performance.now() - killedAt;
    const active = answers.find((answer): answer is TActive => answer.health?.state === 'ACTIVE');
    if (active) return { ...active, elapsedMs };
    if (elapsedMs > TAKEOVER_TIMEOUT_MS) {
      throw new Error(
        `no node took over within ${TAKEOVER_TIMEOUT_MS / 1000} s:\n${survivors.map((n) => `--- ${n.label}\n${n.output()}`).join('\n')}`,
      );
    }
    await sleep(POLL_MS - (performance.now() - polledAt));
  }
}

/** Submits STREAM_PER_SECOND runs a second to the first node that takes them, until stopped. */
function streamRuns(nodes: BenchNode[]): { stop(): Promise<number> } {
  let stopped = false;
  let submitted = 0;
  const loop = (async () => {
    let next = performance.now();
    while (!stopped) {
      for (const node of nodes) {
        if (!node.isRunning()) continue;
        const response = await fetch(`${node.url}/api/workflows/${encodeURIComponent(STREAM_WORKFLOW.name)}/runs`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ inputs: {} }),
          signal: AbortSignal.timeout(1_000),
        }).catch(() => null);
        if (response?.ok) {
          submitted += 1;
          break;
        }
      }
      next += 1000 / STREAM_PER_SECOND;
      await sleep(next - performance.now());
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return submitted;
    },
  };
}

function rootPost(node: BenchNode, route: string, body: unknown): Promise<Response> {
  return fetch(`${node.url}${route}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

type TRunProgress = { starts: number; step: number };

/** How often the run was started or resumed, and its step (the count of its checkpoints). */
async function runProgress(pool: pg.Pool, runId: string): Promise<TRunProgress> {
  const { rows } = await pool.query<{ starts: number; step: number }>(
    `SELECT (SELECT count(*)::int FROM workflow_run_event WHERE run_id = $1 AND kind IN ('RESUMED', 'STARTED')) AS starts,
            (SELECT step FROM workflow_run WHERE id = $1) AS step`,
    [runId],
  );
  return rows[0];
}

/** Polls every POLL_MS until the run was resumed after `before`; the time is taken when that answer arrives. */
async function waitForResume(pool: pg.Pool, runId: string, before: TRunProgress, killedAt: number): Promise<number> {
  for (;;) {
    const polledAt = performance.now();
    const now = await runProgress(pool, runId);
    const elapsedMs = performance.now() - killedAt;
    if (now.starts > before.starts) {
      if (now.step < before.step) throw new Error(`the run went back from step ${before.step} to ${now.step} on resume`);
      return elapsedMs;
    }
    if (elapsedMs > TAKEOVER_TIMEOUT_MS) throw new Error(`the run was not resumed within ${TAKEOVER_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS - (performance.now() - polledAt));
  }
}

async function countEvents(pool: pg.Pool): Promise<{ becameActive: number; fenced: number }> {
  const { rows } = await pool.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM cluster_event WHERE kind IN ('BECAME_ACTIVE', 'FENCED') GROUP BY kind`,
  );
  const of = (kind: string) => rows.find((row) => row.kind === kind)?.n ?? 0;
  return { becameActive: of('BECAME_ACTIVE'), fenced: of('FENCED') };
}

export async function runFailoverBench(options: TFailoverBenchOptions): Promise<boolean> {
  const { intervalMs, heartbeats } = options;
  const windowMs = intervalMs * heartbeats;
  const goalMaxMs = windowMs + intervalMs;
  // at the default 1 s × 3 the goal stays what issue 3 set (window + half an interval); below it,
  // issue 21's: the median within the window
  const goalMedianMs = intervalMs >= 1_000 ? windowMs + intervalMs / 2 : windowMs;
  console.log(
    `== failover: ${NODE_COUNT} nodes on one PostgreSQL at ${intervalMs / 1000} s × ${heartbeats} ` +
      `(window ${windowMs / 1000} s), ${options.kills} × kill -9 of the active node, then ${options.watchSeconds} s watched; ` +
      `${STREAM_PER_SECOND} workflow runs/s submitted throughout ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: intervalMs, failoverHeartbeats: heartbeats });
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  // the resume poll has a connection of its own, so that it never waits behind the takeover's
  const resumePool = new pg.Pool({ connectionString: database.url, max: 1 });
  let stream: ReturnType<typeof streamRuns> | undefined;
  const dataDirs: string[] = [];
  const nodes: BenchNode[] = [];
  const removeDataDirs = async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const forget = onInterrupt(removeDataDirs);
  try {
    for (let i = 0; i < NODE_COUNT; i += 1) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-node-'));
      dataDirs.push(dataDir);
      nodes.push(
        new BenchNode({
          port: await findFreePort(),
          dataDir,
          databaseUrl: database.url,
          name: `bench-${i + 1}`,
          rootPassword: PASSWORD,
        }),
      );
    }
    const startedAt = performance.now();
    // the first node takes the slot; the others join it as standbys
    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    for (const node of nodes.slice(1)) node.start();
    await Promise.all(nodes.slice(1).map((node) => node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY')));
    console.log(`  ${NODE_COUNT} nodes up in ${seconds(performance.now() - startedAt)}`);
    const first = await findActive(nodes);
    for (const workflow of [STREAM_WORKFLOW, RESUME_WORKFLOW]) {
      const create = await rootPost(first.node, '/api/workflows', workflow);
      if (!create.ok) throw new Error(`could not create the ${workflow.name} workflow: HTTP ${create.status}`);
    }
    const submit = await rootPost(first.node, `/api/workflows/${encodeURIComponent(RESUME_WORKFLOW.name)}/runs`, { inputs: {} });
    if (!submit.ok) throw new Error(`could not start the ${RESUME_WORKFLOW.name} run: HTTP ${submit.status}`);
    const resumeRunId = ((await submit.json()) as { id: string }).id;
    stream = streamRuns(nodes);
    const before = await countEvents(pool);

    const takeoverMs: number[] = [];
    const resumeMs: number[] = [];
    for (let round = 1; round <= options.kills; round += 1) {
      // kill at a random point of the active node's heartbeat interval
      await sleep(Math.random() * intervalMs);
      const victim = await findActive(nodes);
      // the run is in flight on the victim (started, or resumed after the previous kill)
      let progress = await runProgress(resumePool, resumeRunId);
      const inFlightBy = performance.now() + TAKEOVER_TIMEOUT_MS;
      while (progress.starts < round) {
        if (performance.now() > inFlightBy)
          throw new Error(`the ${RESUME_WORKFLOW.name} run is not in flight before kill ${round}`);
        await sleep(POLL_MS);
        progress = await runProgress(resumePool, resumeRunId);
      }
      const gone = victim.node.kill();
      const killedAt = performance.now();
      const resumed = waitForResume(resumePool, resumeRunId, progress, killedAt);
      resumed.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
      const takeover = await waitForTakeover(
        nodes.filter((node) => node !== victim.node),
        killedAt,
      );
      resumeMs.push(await resumed);
      if (takeover.health.epoch <= victim.health.epoch) {
        throw new Error(
          `${takeover.node.label} is ACTIVE with epoch ${takeover.health.epoch}, not above the killed node's ${victim.health.epoch}`,
        );
      }
      takeoverMs.push(takeover.elapsedMs);
      await gone;
      const restartedAt = performance.now();
      victim.node.start();
      await victim.node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY');
      console.log(
        `  kill ${String(round).padStart(2)}: ${victim.node.label} (epoch ${victim.health.epoch}) → ` +
          `${takeover.node.label} ACTIVE (epoch ${takeover.health.epoch}) after ${seconds(takeover.elapsedMs)}, ` +
          `run resumed after ${seconds(resumeMs.at(-1) as number)}; ` +
          `${victim.node.label} STANDBY again ${seconds(performance.now() - restartedAt)} after its restart`,
      );
    }

    // nothing is killed from here on: every slot change and every fencing now is a false failover
    const watchUntil = performance.now() + options.watchSeconds * 1000;
    while (performance.now() < watchUntil) {
      await sleep(Math.min(1_000, watchUntil - performance.now()));
      await findActive(nodes);
    }
    const submitted = await stream.stop();
    const after = await countEvents(pool);
    const falseFailovers = after.fenced - before.fenced + Math.max(0, after.becameActive - before.becameActive - options.kills);
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_run WHERE status = 'COMPLETED'`);

    const summary = summarize(takeoverMs);
    const resume = summarize(resumeMs);
    const goalResumeMs = windowMs + RESUME_SLACK_MS;
    const maxOk = summary.max <= goalMaxMs;
    const medianOk = summary.p50 <= goalMedianMs;
    const resumeOk = resume.max <= goalResumeMs;
    const falseOk = falseFailovers === 0;
    console.log(
      `  kill -9 → new ACTIVE    n=${summary.count}  median ${seconds(summary.p50)}  p95 ${seconds(summary.p95)}  max ${seconds(summary.max)}`,
    );
    console.log(
      `  kill -9 → run resumed   n=${resume.count}  median ${seconds(resume.p50)}  p95 ${seconds(resume.p95)}  max ${seconds(resume.max)}`,
    );
    console.log(`  workflow runs           ${submitted} submitted, ${rows[0].n} completed meanwhile`);
    console.log(
      `  false failovers         ${falseFailovers} (FENCED ${after.fenced - before.fenced}, BECAME_ACTIVE ${after.becameActive - before.becameActive} for ${options.kills} kills)`,
    );
    console.log(
      `  goals                   every kill ≤ ${seconds(goalMaxMs)}: ${yesNo(maxOk)}; ` +
        `median ≤ ${seconds(goalMedianMs)}: ${yesNo(medianOk)}; every resume ≤ ${seconds(goalResumeMs)}: ${yesNo(resumeOk)}; ` +
        `no false failover: ${yesNo(falseOk)}`,
    );
    console.log(
      `resume: median ${(resume.p50 / 1000).toFixed(2)} s, max ${(resume.max / 1000).toFixed(2)} s ` +
        `(goal ≤ window + ${RESUME_SLACK_MS / 1000} s = ${(goalResumeMs / 1000).toFixed(2)} s), false failovers ${falseFailovers}`,
    );
    console.log(
      `failover: median ${(summary.p50 / 1000).toFixed(2)} s, max ${(summary.max / 1000).toFixed(2)} s, false failovers ${falseFailovers}`,
    );
    return maxOk && medianOk && resumeOk && falseOk;
  } finally {
    await stream?.stop();
    await pool.end();
    await resumePool.end();
    await Promise.all(nodes.map((node) => node.stop()));
    await database.stop();
    forget();
    await removeDataDirs();
  }
}
