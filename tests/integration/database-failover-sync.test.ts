/**
 * A database failover under a running cluster, with synchronous replication: real PostgreSQL 15
 * primary + streaming standby (Debian's binaries), two real nodes on a multi-host URL
 * (target_session_attrs=read-write) at 1 s × 3 running the Cluster Test. The primary's postmaster
 * is killed with SIGKILL, the standby promoted; then an active node again, the run completes with
 * every count once (at most the interrupted one again), the belief logs never show two actives,
 * DATABASE_FAILOVER is recorded once and nothing is reported lost.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { findFreePort } from '@/lib/node/ports';
import { activeNodes, maxBelievedActive, seedCluster, startNodes } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';
import { startWebhookReceiver } from '../helpers/receivers';
import { holdsFor, pollUntil } from '../helpers/poll';
import { api, eventsOf, startRun, waitForStatus, type TEventRow } from '../helpers/workflows';

const SETTINGS = { intervalMs: 1_000, failoverHeartbeats: 3 };
const COUNT = 12;

async function serverCounts(databaseUrl: string, runId: string): Promise<number[]> {
  return withClient(databaseUrl, async (client) =>
    (
      await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1 ORDER BY id', [runId])
    ).rows.map((row) => Number(row.message.replace('count ', ''))),
  );
}

async function clusterEvents(
  databaseUrl: string,
  kind: string,
): Promise<{ node_id: string; details: Record<string, unknown> }[]> {
  return withClient(
    databaseUrl,
    async (client) => (await client.query('SELECT node_id, details FROM cluster_event WHERE kind = $1 ORDER BY id', [kind])).rows,
  );
}

/** Each count's element events: once, except at most one count that ran again (the interrupted one). */
function repeatedCounts(events: TEventRow[], elementId: string): number[] {
  const perCount = new Map<number, number>();
  for (const event of events.filter((e) => e.kind === 'ELEMENT' && e.element_id === elementId)) {
    const n = Number(event.message?.replace('count ', ''));
    perCount.set(n, (perCount.get(n) ?? 0) + 1);
  }
  expect([...perCount.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  return [...perCount.entries()].filter(([, times]) => times > 1).map(([n]) => n);
}

describe('a database failover with synchronous replication (PostgreSQL 15 primary + standby, two nodes on a multi-host URL)', () => {
  let pair: ReplicaPair;
  let nodes: NodeProcess[];
  let url: string;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    pair = await startReplicaPair({ synchronous: true });
    await pair.query(pair.primary, 'CREATE DATABASE orch');
    // the standby first: the nodes must find the primary themselves
    url = pair.url([pair.standby, pair.primary], 'orch');
    await applyMigrations(url);
    await seedCluster(pair.singleUrl(pair.primary, 'orch'), SETTINGS);
    nodes = await startNodes(url, 2, 'sync');
    webhook = await startWebhookReceiver('webhook-secret-for-database-failover');
  }, 240_000);

  afterAll(async () => {
    await stopAllNodes();
    await webhook?.close();
    await pair?.stop();
  });

  it('refuses a URL whose hosts cannot serve, with one line naming what is wrong and no password', async () => {
    const deadPort = await findFreePort();
    const wrongPassword = pair.url([pair.standby, pair.primary], 'orch').replace(`:${pair.password}@`, ':not-the-password@');
    const cases = [
      { url: pair.url([pair.standby], 'orch'), says: `127.0.0.1:${pair.standby.port} is a read-only standby` },
      { url: wrongPassword, says: 'wrong password' },
      {
        url: pair.url([{ name: 'gone', port: deadPort, dataDir: '' }, pair.standby], 'orch'),
        says: `127.0.0.1:${deadPort} failed: connection refused`,
      },
      { url: pair.url([pair.primary], 'orch').replace('read-write', 'read-wirte'), says: 'target_session_attrs must be one of' },
    ];
    for (const { url: given, says } of cases) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-db-refused-'));
      const result = await runOrchctl(['node', 'start', '--port', String(await findFreePort()), '--data-dir', dataDir], {
        ORCH_DATABASE_URL: given,
      });
      expect(result.code, says).not.toBe(0);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toContain(says);
      expect(result.stderr + result.stdout).not.toContain(pair.password);
      expect(result.stderr + result.stdout).not.toContain('not-the-password');
    }
  });

  it('keeps one active node, loses no run and repeats at most the interrupted element', async () => {
    await pollUntil(async () => (await activeNodes(nodes)).length === 1, { what: 'one active node' });
    const target = await api(nodes[0], '/api/notifications/targets', {
      method: 'POST',
      body: {
        kind: 'WEBHOOK',
        name: 'dba',
        url: `${webhook.url}/dba`,
        secret: 'webhook-secret-for-database-failover',
        events: ['DATABASE_FAILOVER'],
      },
    });
    expect(target.status).toBe(201);
    const runId = await startRun(nodes[0], 'Cluster Test', { count: COUNT });
    const before = pair.singleUrl(pair.primary, 'orch');
    await pollUntil(async () => (await serverCounts(before, runId)).length >= 3, { timeoutMs: 60_000, what: 'three counts' });

    await pair.killPrimary();
    await pair.promote();
    const after = pair.singleUrl(pair.standby, 'orch');

    await pollUntil(async () => (await activeNodes(nodes)).length === 1, {
      timeoutMs: 60_000,
      what: 'an active node on the promoted standby',
    });
    await waitForStatus(after, [runId], 'COMPLETED', 90_000);

    // the server log is written with the checkpoint: each count exactly once
    expect(await serverCounts(after, runId)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    const events = await eventsOf(after, runId);
    expect(repeatedCounts(events, 'server-log').length + repeatedCounts(events, 'system-log').length).toBeLessThanOrEqual(1);
    expect(maxBelievedActive(nodes)).toBeLessThanOrEqual(1);

    const failovers = await clusterEvents(after, 'DATABASE_FAILOVER');
    expect(failovers).toHaveLength(1);
    expect(failovers[0].details).toMatchObject({
      from: { timeline: 1 },
      to: { timeline: 2 },
      server: `127.0.0.1:${pair.standby.port}`,
    });
    // synchronous replication: everything the old primary acknowledged is on the new one
    expect(await clusterEvents(after, 'DATABASE_FAILOVER_LOST_WORK')).toEqual([]);
    // the node that was active fenced itself: by its own deadline when the database was away
    // longer than window − interval (as here), else when its heartbeat met the new primary; and
    // slots went out again under an epoch of the new timeline
    expect(await clusterEvents(after, 'FENCED')).not.toEqual([]);
    const epoch = await withClient(after, async (client) =>
      Number((await client.query('SELECT epoch FROM cluster')).rows[0].epoch),
    );
    expect(epoch).toBeGreaterThan(2_000_000_000);

    // the operators are told, once
    await pollUntil(() => webhook.received.some((hook) => hook.body.kind === 'DATABASE_FAILOVER'), {
      timeoutMs: 30_000,
      what: 'the DATABASE_FAILOVER notification',
    });
    await holdsFor(
      () => webhook.received.filter((hook) => hook.body.kind === 'DATABASE_FAILOVER').length === 1,
      3_000,
      'one DATABASE_FAILOVER notification, no more',
    );
    expect(webhook.received.every((hook) => hook.signatureValid === true)).toBe(true);

    const printed = await runOrchctl(['events', '--url', nodes[1].url, '--kind', 'DATABASE_FAILOVER'], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
    });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('DATABASE_FAILOVER');
    // the Database facts show the identity the heartbeats compare, on the new primary
    const shown = await runOrchctl(['database', 'show', '--url', nodes[0].url], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
    });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`connected    127.0.0.1:${pair.standby.port}, the primary`);
    expect(shown.stdout).toMatch(/identity {5}system \d+, timeline 2, 1 failover\(s\) seen by the cluster/);
    for (const node of nodes) expect(node.output()).not.toContain(pair.password);
  });
});
