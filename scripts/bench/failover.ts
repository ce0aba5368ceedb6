/**
 * Failover: real nodes on one shared PostgreSQL at 1 s × 3. The active node is killed with
 * kill -9 (its whole process group), and the time until another node's /api/health says ACTIVE
 * is measured; the killed node is then started again and must come back as STANDBY.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { THealth } from '@/lib/cluster/health';
import { findFreePort } from '@/lib/node/ports';
import { BenchNode } from './bench-node';
import { startClusterDatabase } from './cluster-database';
import { onInterrupt } from './interrupt';
import { seconds, sleep, summarize, yesNo } from './stats';

export type TFailoverBenchOptions = { kills: number };

const NODE_COUNT = 3;
const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const GOAL_MAX_MS = WINDOW_MS + INTERVAL_MS;
const GOAL_MEDIAN_MS = WINDOW_MS + INTERVAL_MS / 2;
const POLL_MS = 20;
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
    if (performance.now() > deadline) throw new Error(`no node is ACTIVE: ${answers.map((a) => `${a.node.label} ${a.health?.state ?? 'no answer'}`).join(', ')}`);
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
      throw new Error(`no node took over within ${TAKEOVER_TIMEOUT_MS / 1000} s:\n${survivors.map((n) => `--- ${n.label}\n${n.output()}`).join('\n')}`);
    }
    await sleep(POLL_MS - (performance.now() - polledAt));
  }
}

export async function runFailoverBench(options: TFailoverBenchOptions): Promise<boolean> {
  console.log(
    `== failover: ${NODE_COUNT} nodes on one PostgreSQL at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS} ` +
      `(window ${WINDOW_MS / 1000} s), ${options.kills} × kill -9 of the active node ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
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
      nodes.push(new BenchNode({ port: await findFreePort(), dataDir, databaseUrl: database.url, name: `bench-${i + 1}`, rootPassword: PASSWORD }));
    }
    const startedAt = performance.now();
    // the first node takes the slot; the others join it as standbys
    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    for (const node of nodes.slice(1)) node.start();
    await Promise.all(nodes.slice(1).map((node) => node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY')));
    console.log(`  ${NODE_COUNT} nodes up in ${seconds(performance.now() - startedAt)}`);

    const takeoverMs: number[] = [];
    for (let round = 1; round <= options.kills; round += 1) {
      // kill at a random point of the active node's heartbeat interval
      await sleep(Math.random() * INTERVAL_MS);
      const victim = await findActive(nodes);
      const gone = victim.node.kill();
      const killedAt = performance.now();
      const takeover = await waitForTakeover(
        nodes.filter((node) => node !== victim.node),
        killedAt,
      );
      if (takeover.health.epoch <= victim.health.epoch) {
        throw new Error(`${takeover.node.label} is ACTIVE with epoch ${takeover.health.epoch}, not above the killed node's ${victim.health.epoch}`);
      }
      takeoverMs.push(takeover.elapsedMs);
      await gone;
      const restartedAt = performance.now();
      victim.node.start();
      await victim.node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY');
      console.log(
        `  kill ${String(round).padStart(2)}: ${victim.node.label} (epoch ${victim.health.epoch}) → ` +
          `${takeover.node.label} ACTIVE (epoch ${takeover.health.epoch}) after ${seconds(takeover.elapsedMs)}; ` +
          `${victim.node.label} STANDBY again ${seconds(performance.now() - restartedAt)} after its restart`,
      );
    }

    const summary = summarize(takeoverMs);
    const maxOk = summary.max <= GOAL_MAX_MS;
    const medianOk = summary.p50 <= GOAL_MEDIAN_MS;
    console.log(`  kill -9 → new ACTIVE    n=${summary.count}  median ${seconds(summary.p50)}  p95 ${seconds(summary.p95)}  max ${seconds(summary.max)}`);
    console.log(
      `  goals                   every kill ≤ ${seconds(GOAL_MAX_MS)}: ${yesNo(maxOk)}; ` +
        `median ≤ ${seconds(GOAL_MEDIAN_MS)}: ${yesNo(medianOk)}`,
    );
    return maxOk && medianOk;
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await database.stop();
    forget();
    await removeDataDirs();
  }
}
