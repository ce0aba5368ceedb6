/**
 * The database as operators run it (docs/operations.md, "Patroni and HAProxy"): two PostgreSQL 15
 * servers managed by Patroni with etcd, synchronous_mode on, and HAProxy in front routing by
 * Patroni's GET /primary; the configuration is deploy/patroni/ with its placeholders filled
 * (tests/helpers/patroni.ts). Three real nodes use the HAProxy address as their database URL and
 * run the Cluster Test; the primary's PostgreSQL is killed with SIGKILL and Patroni fails over by
 * itself. Then: an active node again, the run completes with every count once except at most the
 * interrupted one, the nodes' own records never show two active nodes, the old primary rejoins as
 * the standby, and the database failover is recorded as such (DATABASE_FAILOVER, a new epoch).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { activeNodes, beliefRecords, health, maxBelievedActive, seedCluster } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { startPatroniCluster, type PatroniCluster, type TPatroniMember } from '../helpers/patroni';
import { pollUntil } from '../helpers/poll';
import { commandLineOf, processTree } from '../helpers/processes';
import { countsOfElement, eventsOf, startRun, waitForStatus } from '../helpers/workflows';

const SETTINGS = { intervalMs: 1_000, failoverHeartbeats: 3 };
const COUNT = 12;

let patroni: PatroniCluster | undefined;
let databaseUrl: string;
/** the orchestrator role's password, in the nodes' database URL */
let orchPassword: string;
let nodes: NodeProcess[] = [];

/** What happened around the failover, for the checks after it. */
const failover = {
  killedAt: 0,
  epochBefore: 0,
  timelineBefore: 0,
  runId: '',
  killed: undefined as TPatroniMember | undefined,
  promoted: undefined as TPatroniMember | undefined,
};

/** A wait whose failure message ends with what etcd, Patroni and HAProxy logged. */
async function withLogs<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${patroni?.logs() ?? ''}`);
  }
}

async function serverLogCounts(runId: string): Promise<number[]> {
  return withClient(databaseUrl, async (client) =>
    (
      await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1 ORDER BY id', [runId])
    ).rows.map((row) => Number(row.message.replace('count ', ''))),
  );
}

beforeAll(async () => {
  patroni = await startPatroniCluster();
  // the orchestrator's own role and database, made through HAProxy as the operations guide says
  orchPassword = randomBytes(12).toString('hex');
  await withClient(patroni.superuserUrl(), async (client) => {
    await client.query(`CREATE ROLE orch LOGIN PASSWORD '${orchPassword}'`);
    await client.query('CREATE DATABASE orch OWNER orch');
  });
  databaseUrl = patroni.url('orch', orchPassword, 'orch');
  await applyMigrations(databaseUrl);
  await seedCluster(databaseUrl, SETTINGS);
  // together: which node is first in line does not matter here
  nodes = await Promise.all(['p1', 'p2', 'p3'].map((name) => startNode({ databaseUrl, name })));
}, 300_000);

afterAll(async () => {
  await stopAllNodes();
  await patroni?.stop();
}, 120_000);

describe('a Patroni-managed PostgreSQL behind HAProxy fails over under a running cluster', () => {
  it('kills the primary PostgreSQL mid-run: Patroni promotes the synchronous standby, a node is active again and the run completes', async () => {
    const cluster = patroni!;
    const [active] = await pollUntil(
      async () => {
        const found = await activeNodes(nodes);
        return found.length === 1 ? found : undefined;
      },
      { timeoutMs: 60_000, what: 'one active node on the HAProxy address' },
    );
    failover.runId = await startRun(active, 'Cluster Test', { count: COUNT });
    await pollUntil(async () => (await serverLogCounts(failover.runId)).length >= 3, {
      timeoutMs: 60_000,
      what: 'three counts of the Cluster Test',
    });

    const killed = await withLogs(pollUntil(() => cluster.primary(), { what: 'the member Patroni reports as /primary' }));
    const standby = cluster.members.find((member) => member !== killed)!;
    expect(await cluster.restStatus(standby, 'sync')).toBe(200); // synchronous_mode: the standby has every commit
    failover.timelineBefore = (await cluster.memberStatus(killed))?.timeline ?? 0;
    failover.epochBefore = (await health(active))?.epoch ?? 0;
    failover.killed = killed;
    failover.killedAt = Date.now();
    await cluster.killPostgres(killed);

    // Patroni notices, gives up the leader key (primary_start_timeout 0) and promotes the standby;
    // HAProxy's /primary check then leads every new connection there
    await withLogs(
      pollUntil(
        async () =>
          (await cluster.primary()) === standby &&
          (await cluster.haproxyUp())?.join() === standby.name &&
          (await cluster.inRecovery()) === false,
        {
          timeoutMs: 60_000,
          what: `Patroni to promote ${standby.name} and HAProxy to lead to it`,
        },
      ),
    );
    const promotedMs = Date.now() - failover.killedAt;
    failover.promoted = standby;
    expect((await cluster.memberStatus(standby))?.timeline).toBeGreaterThan(failover.timelineBefore);

    // an active node again, after the failover: a period of activity that begins after the kill
    await pollUntil(
      async () =>
        (await activeNodes(nodes)).length === 1 &&
        beliefRecords(nodes).some((record) => record.t === 'begin' && record.at > failover.killedAt),
      { timeoutMs: 60_000, what: 'an active node again after the database failover' },
    );
    const activeAgainMs = Date.now() - failover.killedAt;

    await waitForStatus(databaseUrl, [failover.runId], 'COMPLETED', 120_000);
    const events = await eventsOf(databaseUrl, failover.runId);
    let repeatedElements = 0;
    for (const element of ['server-log', 'system-log']) {
      const { counts, repeated } = countsOfElement(events, element);
      expect(counts, element).toEqual(Array.from({ length: COUNT }, (_, index) => index + 1));
      for (const [, list] of repeated)
        expect(new Set(list.map((event) => event.attempt)).size, `${element}: a repeat is a new attempt`).toBe(list.length);
      repeatedElements += repeated.size;
    }
    // synchronous replication: nothing completed is lost, so at most the interrupted element runs again
    expect(repeatedElements, 'elements that ran more than once').toBeLessThanOrEqual(1);
    const logged = await serverLogCounts(failover.runId);
    expect(new Set(logged)).toEqual(new Set(Array.from({ length: COUNT }, (_, index) => index + 1)));
    expect(logged.length - COUNT).toBeLessThanOrEqual(1);

    // the nodes' own records: never more than one node believed itself active (N = 1)
    expect(maxBelievedActive(nodes)).toBeLessThanOrEqual(1);

    // Patroni brings the old primary back as the new primary's standby by itself; HAProxy keeps
    // leading only to the new primary
    await withLogs(
      pollUntil(async () => (await cluster.restStatus(killed, 'replica')) === 200, {
        timeoutMs: 60_000,
        what: `${killed.name} to rejoin as a running standby`,
      }),
    );
    expect((await cluster.memberStatus(killed))?.timeline).toBe((await cluster.memberStatus(standby))?.timeline);
    expect(await cluster.haproxyUp()).toEqual([standby.name]);
    console.log(
      `Patroni failover figures (ms): ${JSON.stringify({ killToHaproxyOnNewPrimary: promotedMs, killToActiveNode: activeAgainMs })}`,
    );
  });

  it('records the database failover once as DATABASE_FAILOVER, and the active slot is claimed again with a new epoch', async () => {
    expect(failover.promoted, 'the failover of the previous test happened').toBeDefined();
    const recorded = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ details: Record<string, unknown> }>(
            `SELECT details FROM cluster_event WHERE kind = 'DATABASE_FAILOVER' ORDER BY id`,
          )
        ).rows,
    );
    // one event for one failover, from the timeline Patroni reported before the kill to the next,
    // naming the server the nodes reached through HAProxy (its own address, not HAProxy's)
    expect(recorded).toHaveLength(1);
    expect(recorded[0].details).toMatchObject({
      from: { timeline: failover.timelineBefore },
      to: { timeline: failover.timelineBefore + 1 },
      server: `127.0.0.1:${failover.promoted!.pgPort}`,
    });
    const [active] = await activeNodes(nodes);
    expect(active, 'an active node').toBeDefined();
    expect((await health(active))?.epoch).toBeGreaterThan(failover.epochBefore);
  });

  it("keeps every password out of the configuration files, every command line and the nodes' output", () => {
    const cluster = patroni!;
    const passwords = [...cluster.passwords(), orchPassword];
    const files = cluster.configFiles().map((file) => readFileSync(file, 'utf8'));
    const commandLines = [...cluster.processIds(), ...nodes.flatMap((node) => processTree(node.pid))].map((pid) =>
      commandLineOf(pid),
    );
    expect(
      commandLines.filter((line) => line.includes('patroni')).length,
      'the Patroni members are among the processes looked at',
    ).toBeGreaterThanOrEqual(2);
    for (const password of passwords) {
      for (const text of [...files, ...commandLines, ...nodes.map((node) => node.output())]) expect(text).not.toContain(password);
    }
  });
});
