/**
 * Database failover: a PostgreSQL 15 primary + synchronous streaming standby (Debian's
 * postgresql-15, as the tests run them), three real nodes on a multi-host URL
 * (target_session_attrs=read-write) at 1 s × 3.
 * - Heartbeat round trip against this external, synchronously replicated server: one store on the
 *   multi-host URL, sequential heartbeats, p50/p99, of an active member (each renewal's commit
 *   waits for the standby's flush) and of a standby member (its heartbeat commits asynchronously:
 *   it waits for neither the disk nor the standby).
 * - Failover: the primary's postmaster and backends are killed (SIGKILL); the bench promotes the
 *   standby after a fixed delay (what an operator or Patroni would take, reported separately),
 *   and measures the time from the primary's death to a node ACTIVE under a new epoch, and from
 *   the promotion to that moment. The old primary is then rebuilt as the new standby for the next
 *   round.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { THealth } from '@/lib/cluster/health';
import { claimGraceMs } from '@/lib/cluster/election';
import { ensureCluster } from '@/lib/cluster/ensure-cluster';
import { PgClusterStore } from '@/lib/cluster/pg-store';
import { livenessWindow } from '@/lib/cluster/settings';
import { createDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { findFreePort } from '@/lib/node/ports';
import { startReplicaPair, type ReplicaPair } from '../../tests/helpers/pg-replication';
import { BenchNode } from './bench-node';
import { onInterrupt } from './interrupt';
import { ms, seconds, sleep, summarize } from './stats';

export type TDatabaseFailoverBenchOptions = { failovers: number };

const NODE_COUNT = 3;
const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
/** how long after the primary's death the bench promotes the standby */
export const PROMOTE_DELAY_MS = 1_000;
const HEARTBEATS = 2_000;
const POLL_MS = 20;
const TAKEOVER_TIMEOUT_MS = 60_000;
const PASSWORD = 'bench-root-password';

type TActive = { node: BenchNode; health: THealth };

async function activeNodes(nodes: BenchNode[]): Promise<TActive[]> {
  const answers = await Promise.all(nodes.map(async (node) => ({ node, health: await node.health(500) })));
  return answers.filter((answer): answer is TActive => answer.health?.state === 'ACTIVE');
}

/** The first moment a node says ACTIVE under an epoch above `epoch` (the old active may still say ACTIVE until it fences). */
async function waitForActiveAbove(nodes: BenchNode[], epoch: number, since: number): Promise<TActive & { elapsedMs: number }> {
  for (;;) {
    const polledAt = performance.now();
    const active = (await activeNodes(nodes)).find((answer) => answer.health.epoch > epoch);
    const elapsedMs = performance.now() - since;
    if (active) return { ...active, elapsedMs };
    if (elapsedMs > TAKEOVER_TIMEOUT_MS)
      throw new Error(
        `no node became active on the new primary within ${TAKEOVER_TIMEOUT_MS / 1000} s:\n${nodes.map((n) => `--- ${n.label}\n${n.output()}`).join('\n')}`,
      );
    await sleep(POLL_MS - (performance.now() - polledAt));
  }
}

async function measureHeartbeats(url: string): Promise<{ standby: number[]; active: number[] }> {
  const store = new PgClusterStore(url, () => 5_000);
  try {
    const id = randomUUID();
    await store.register({ id, name: 'bench-heartbeat', url: 'http://bench-heartbeat.invalid', version: 'bench' });
    // connects, plans, and notes the database's identity
    const first = await store.heartbeat({ nodeId: id, lease: null, skewMs: null, configuration: null });
    const time = async (lease: { slot: number; epoch: number } | null) => {
      const samples: number[] = [];
      for (let i = 0; i < HEARTBEATS; i += 1) {
        const startedAt = performance.now();
        const heartbeat = await store.heartbeat({ nodeId: id, lease, skewMs: null, configuration: null });
        samples.push(performance.now() - startedAt);
        if (lease && !heartbeat.renewed) throw new Error('the bench member lost its lease while renewing it');
      }
      return samples;
    };
    const standby = await time(null);
    // the nodes start later: the slot is free, and this member takes it to time its renewals
    const claim = await store.claim(id, livenessWindow(first.settings).lateAfterMs, claimGraceMs(first.settings.intervalMs));
    if (!claim || 'waitMs' in claim) throw new Error('the bench member could not take the active slot');
    const lease = { slot: claim.slot, epoch: claim.epoch };
    const active = await time(lease);
    await store.leave(id, lease);
    return { standby, active };
  } finally {
    await store.close();
  }
}

export async function runDatabaseFailoverBench(options: TDatabaseFailoverBenchOptions): Promise<boolean> {
  console.log(
    `== database failover: PostgreSQL 15 primary + synchronous standby, ${NODE_COUNT} nodes on a multi-host URL at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS}, ` +
      `${options.failovers} × kill -9 of the primary, promotion ${seconds(PROMOTE_DELAY_MS)} later ==`,
  );
  let pair: ReplicaPair | undefined;
  const dataDirs: string[] = [];
  const nodes: BenchNode[] = [];
  const cleanUp = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    await pair?.stop();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const forget = onInterrupt(cleanUp);
  try {
    pair = await startReplicaPair({ synchronous: true });
    await pair.query(pair.primary, 'CREATE DATABASE orch');
    const url = pair.url([pair.primary, pair.standby], 'orch');
    await applyMigrations(url);
    const db = createDb(url, { max: 1 });
    try {
      await ensureCluster(db, { name: 'bench', heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
    } finally {
      await db.$disconnect();
    }

    const measured = await measureHeartbeats(url);
    for (const [label, samples] of [
      ['active member (synchronous commit)', measured.active],
      ['standby (asynchronous commit)', measured.standby],
    ] as const) {
      const heartbeats = summarize(samples);
      console.log(
        `  heartbeat round trip, ${label.padEnd(36)} n=${heartbeats.count}  p50 ${ms(heartbeats.p50)}  p99 ${ms(heartbeats.p99)}  max ${ms(heartbeats.max)}`,
      );
    }

    for (let i = 0; i < NODE_COUNT; i += 1) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-node-'));
      dataDirs.push(dataDir);
      nodes.push(
        new BenchNode({ port: await findFreePort(), dataDir, databaseUrl: url, name: `dbf-${i + 1}`, rootPassword: PASSWORD }),
      );
    }
    nodes[0].start();
    await nodes[0].waitForHealth((health) => health.state === 'ACTIVE', 'ACTIVE');
    for (const node of nodes.slice(1)) node.start();
    await Promise.all(nodes.slice(1).map((node) => node.waitForHealth((health) => health.state === 'STANDBY', 'STANDBY')));

    const sinceDeath: number[] = [];
    const sincePromotion: number[] = [];
    const promotions: number[] = [];
    for (let round = 1; round <= options.failovers; round += 1) {
      // kill at a random point of the active node's heartbeat interval
      await sleep(Math.random() * INTERVAL_MS);
      const [before] = await activeNodes(nodes);
      if (!before) throw new Error('no node is active before the failover');
      await pair.killPrimary();
      const diedAt = performance.now();
      await sleep(PROMOTE_DELAY_MS);
      const promoteStartedAt = performance.now();
      await pair.promote();
      const promotedAt = performance.now();
      const after = await waitForActiveAbove(nodes, before.health.epoch, diedAt);
      sinceDeath.push(after.elapsedMs);
      sincePromotion.push(diedAt + after.elapsedMs - promotedAt);
      promotions.push(promotedAt - promoteStartedAt);
      console.log(
        `  failover ${String(round).padStart(2)}: ${before.node.label} (epoch ${before.health.epoch}) → ${after.node.label} ACTIVE (epoch ${after.health.epoch}) ` +
          `${seconds(after.elapsedMs)} after the primary died, ${seconds(sincePromotion.at(-1)!)} after the promotion ended (pg_ctl promote took ${seconds(promotions.at(-1)!)})`,
      );
      const rebuildStartedAt = performance.now();
      await pair.rebuildOldPrimaryAsStandby();
      console.log(`              old primary rebuilt as the new standby in ${seconds(performance.now() - rebuildStartedAt)}`);
    }
    const death = summarize(sinceDeath);
    const promotion = summarize(sincePromotion);
    const promote = summarize(promotions);
    console.log(
      `  primary's death → ACTIVE      n=${death.count}  median ${seconds(death.p50)}  max ${seconds(death.max)}  (includes the ${seconds(PROMOTE_DELAY_MS)} before the promotion)`,
    );
    console.log(
      `  promotion ended → ACTIVE      n=${promotion.count}  median ${seconds(promotion.p50)}  max ${seconds(promotion.max)}`,
    );
    console.log(
      `  pg_ctl promote                n=${promote.count}  median ${seconds(promote.p50)}  max ${seconds(promote.max)}`,
    );
    // no goal of its own: the time is the promotion's (an operator's, or Patroni's ttl) plus about one heartbeat
    return true;
  } finally {
    forget();
    await cleanUp();
  }
}
