/**
 * Failover with a distant database: 3 real nodes at 1 s × 3, each reaching the shared PostgreSQL
 * through a TCP proxy of its own that adds 150 ms ± 50 ms to every round trip (the tests' proxy,
 * tests/helpers/tcp-proxy.ts: this machine's kernel has no netem). First the cluster is left
 * alone for --seconds while /api/health of every node is polled: every change of the active
 * node (or of its epoch) is a false failover, and so is every node's own record of giving up its
 * slot (fenced or lost). Then the active node is killed --kills times (kill -9 of its process
 * group) and the time until another node says ACTIVE is measured, as in the failover part.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BELIEF_LOG_FILE, type TBeliefRecord } from '@/lib/cluster/belief-log';
import { findFreePort } from '@/lib/node/ports';
import { TcpProxy } from '../../tests/helpers/tcp-proxy';
import { BenchNode } from './bench-node';
import { startClusterDatabase } from './cluster-database';
import { findActive, waitForTakeover } from './failover';
import { onInterrupt } from './interrupt';
import { seconds, sleep, summarize, yesNo } from './stats';

export type TLatencyBenchOptions = { kills: number; seconds: number };

const NODE_COUNT = 3;
const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const GOAL_MAX_MS = WINDOW_MS + INTERVAL_MS;
const LATENCY_MS = 150;
const JITTER_MS = 50;
const PASSWORD = 'bench-root-password';

export async function runLatencyBench(options: TLatencyBenchOptions): Promise<boolean> {
  console.log(
    `== latency: ${NODE_COUNT} nodes at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS}, each ${LATENCY_MS} ms ± ${JITTER_MS} ms from the database ` +
      `(every round trip, through a TCP proxy); ${options.seconds} s left alone, then ${options.kills} × kill -9 of the active node ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
  const dataDirs: string[] = [];
  const nodes: BenchNode[] = [];
  const proxies: TcpProxy[] = [];
  const removeDataDirs = async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const forget = onInterrupt(removeDataDirs);
  try {
    const target = new URL(database.url);
    for (let i = 0; i < NODE_COUNT; i += 1) {
      const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
      proxy.setLatency(LATENCY_MS, JITTER_MS, 'to-target');
      proxies.push(proxy);
      const viaProxy = new URL(database.url);
      viaProxy.port = String(proxy.port);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-node-'));
      dataDirs.push(dataDir);
      nodes.push(
        new BenchNode({
          port: await findFreePort(),
          dataDir,
          databaseUrl: viaProxy.toString(),
          name: `slow-${i + 1}`,
          rootPassword: PASSWORD,
        }),
      );
    }
    const startedAt = performance.now();
    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    for (const node of nodes.slice(1)) node.start();
    await Promise.all(nodes.slice(1).map((node) => node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY')));
    console.log(`  ${NODE_COUNT} nodes up in ${seconds(performance.now() - startedAt)}`);

    // left alone: the active node and its epoch must not change
    const holdFrom = Date.now();
    let current = await findActive(nodes);
    let changes = 0;
    let samples = 0;
    while (Date.now() - holdFrom < options.seconds * 1_000) {
      const answers = await Promise.all(nodes.map(async (node) => ({ node, health: await node.health(2_000) })));
      samples += 1;
      const active = answers.find((answer) => answer.health?.state === 'ACTIVE');
      if (active && (active.node !== current.node || active.health!.epoch !== current.health.epoch)) {
        changes += 1;
        console.log(
          `  false failover: ${current.node.label} (epoch ${current.health.epoch}) → ${active.node.label} (epoch ${active.health!.epoch})`,
        );
        current = { node: active.node, health: active.health! };
      }
      await sleep(200);
    }
    const gaveUp = beliefRecords(nodes).filter(
      (record) => record.t === 'end' && record.at >= holdFrom && (record.reason === 'fenced' || record.reason === 'lost'),
    );
    console.log(
      `  left alone ${options.seconds} s (${samples} polls of every node): ${changes} changes of the active node, ${gaveUp.length} slots given up (fenced or lost)`,
    );

    const takeoverMs: number[] = [];
    for (let round = 1; round <= options.kills; round += 1) {
      await sleep(Math.random() * INTERVAL_MS);
      const victim = await findActive(nodes);
      const gone = victim.node.kill();
      const killedAt = performance.now();
      const takeover = await waitForTakeover(
        nodes.filter((node) => node !== victim.node),
        killedAt,
      );
      takeoverMs.push(takeover.elapsedMs);
      await gone;
      victim.node.start();
      await victim.node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY');
      console.log(
        `  kill ${String(round).padStart(2)}: ${victim.node.label} → ${takeover.node.label} ACTIVE after ${seconds(takeover.elapsedMs)}`,
      );
    }
    const summary = summarize(takeoverMs);
    const maxOk = summary.max <= GOAL_MAX_MS;
    const noFalse = changes === 0 && gaveUp.length === 0;
    console.log(
      `  kill -9 → new ACTIVE    n=${summary.count}  median ${seconds(summary.p50)}  p95 ${seconds(summary.p95)}  max ${seconds(summary.max)}`,
    );
    console.log(
      `  goals                   no false failover: ${yesNo(noFalse)}; every kill ≤ ${seconds(GOAL_MAX_MS)}: ${yesNo(maxOk)}`,
    );
    return maxOk && noFalse;
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await database.stop();
    forget();
    await removeDataDirs();
  }
}

function beliefRecords(nodes: BenchNode[]): TBeliefRecord[] {
  return nodes.flatMap((node) => {
    const file = path.join(node.options.dataDir, BELIEF_LOG_FILE);
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as TBeliefRecord)
      : [];
  });
}
