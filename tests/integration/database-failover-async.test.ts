/**
 * A database failover under a running cluster, with asynchronous replication and a standby that
 * fell behind: real PostgreSQL 15 primary + streaming standby, two real nodes on a multi-host URL
 * at 1 s × 3 running the Cluster Test. Replication is cut, the primary goes on acknowledging
 * checkpoints, then its postmaster is killed with SIGKILL and the stale standby promoted. What the
 * old primary acknowledged and the new one lacks runs again: the test checks that this shows as a
 * DATABASE_FAILOVER_LOST_WORK event naming those elements, never silently, and that the run still
 * completes with one active node at a time. The window (1 s × 10) outlasts the outage, so the
 * active node is still active when its heartbeat meets the new primary: it fences itself for the
 * failover, not for its deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { activeNodes, beliefRecords, maxBelievedActive, seedCluster, startNodes } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';
import { pollUntil } from '../helpers/poll';
import { startRun, systemCounts, waitForStatus } from '../helpers/workflows';

const SETTINGS = { intervalMs: 1_000, failoverHeartbeats: 10 };
const COUNT = 14;

async function serverCountsOn(databaseUrl: string, runId: string): Promise<number[]> {
  return withClient(databaseUrl, async (client) =>
    (
      await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1 ORDER BY id', [runId])
    ).rows.map((row) => Number(row.message.replace('count ', ''))),
  );
}

type TLostEvent = {
  node_id: string;
  details: { message: string; elements: { runId: string; elementId: string; step: number; runLost: boolean }[] };
};

describe('a database failover with asynchronous replication and a lagging standby (PostgreSQL 15, two nodes on a multi-host URL)', () => {
  let pair: ReplicaPair;
  let nodes: NodeProcess[];

  beforeAll(async () => {
    pair = await startReplicaPair({ synchronous: false });
    await pair.query(pair.primary, 'CREATE DATABASE orch');
    const url = pair.url([pair.primary, pair.standby], 'orch');
    await applyMigrations(url);
    await seedCluster(pair.singleUrl(pair.primary, 'orch'), SETTINGS);
    nodes = await startNodes(url, 2, 'async');
  }, 240_000);

  afterAll(async () => {
    await stopAllNodes();
    await pair?.stop();
  });

  it('reports the element completions the new primary lacks, and the run still completes', async () => {
    await pollUntil(async () => (await activeNodes(nodes)).length === 1, { what: 'one active node' });
    const runId = await startRun(nodes[0], 'Cluster Test', { count: COUNT });
    const old = pair.singleUrl(pair.primary, 'orch');
    await pollUntil(async () => (await serverCountsOn(old, runId)).length >= 2, { timeoutMs: 60_000, what: 'two counts' });
    // the run and its first counts reach the standby; then it falls behind for good
    await pollUntil(
      async () =>
        Number(
          (
            await pair.query(pair.standby, `SELECT count(*)::int AS n FROM workflow_log_entry WHERE run_id = '${runId}'`, 'orch')
          )[0]?.n,
        ) >= 2,
      {
        what: 'the first counts to replicate',
      },
    );
    await pair.cutReplication();
    const replicated = (
      await pair.query(pair.standby, `SELECT count(*)::int AS n FROM workflow_log_entry WHERE run_id = '${runId}'`, 'orch')
    )[0].n as number;
    await pollUntil(async () => (await serverCountsOn(old, runId)).length >= replicated + 3, {
      timeoutMs: 60_000,
      what: 'three counts only the old primary has',
    });

    await pair.killPrimary();
    await pair.promote();
    const now = pair.singleUrl(pair.standby, 'orch');

    await pollUntil(async () => (await activeNodes(nodes)).length === 1, {
      timeoutMs: 60_000,
      what: 'an active node on the promoted standby',
    });
    await waitForStatus(now, [runId], 'COMPLETED', 120_000);
    expect(await serverCountsOn(now, runId)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(maxBelievedActive(nodes)).toBeLessThanOrEqual(1);

    const events = await withClient(
      now,
      async (client) =>
        (
          await client.query<{ kind: string; details: { reason?: string } }>(
            `SELECT kind, details FROM cluster_event WHERE kind LIKE 'DATABASE_FAILOVER%' OR kind = 'FENCED'`,
          )
        ).rows,
    );
    expect(events.filter((event) => event.kind === 'DATABASE_FAILOVER')).toHaveLength(1);
    // the active node ended its belief because of the failover, while its lease would still have held
    expect(beliefRecords(nodes).filter((record) => record.t === 'end' && record.reason === 'database-failover')).toHaveLength(1);
    expect(events.filter((event) => event.kind === 'FENCED' && event.details.reason === 'database failover')).toHaveLength(1);
    const lost = await pollUntil(
      async () => {
        const rows = await withClient(
          now,
          async (client) =>
            (
              await client.query<TLostEvent>(
                `SELECT node_id, details FROM cluster_event WHERE kind = 'DATABASE_FAILOVER_LOST_WORK'`,
              )
            ).rows,
        );
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the lost work to be reported' },
    );
    const named = lost.flatMap((event) => event.details.elements).filter((element) => element.runId === runId);
    expect(named.length).toBeGreaterThanOrEqual(3);
    expect(named.every((element) => !element.runLost)).toBe(true);
    expect(lost[0].details.message).toContain(runId);

    // what ran again is what was reported: every count the system logs hold twice (beyond the one
    // element a takeover may interrupt) had its system-log element named as lost
    const counted = nodes.flatMap((node) => systemCounts(node, runId));
    const twice = [...new Set(counted.filter((n, index) => counted.indexOf(n) !== index))];
    expect(twice.length).toBeGreaterThanOrEqual(2);
    const reportedSystemLogs = named.filter((element) => element.elementId === 'system-log').length;
    expect(reportedSystemLogs).toBeGreaterThanOrEqual(twice.length - 1);
    for (const node of nodes) expect(node.output()).not.toContain(pair.password);
  });
});
