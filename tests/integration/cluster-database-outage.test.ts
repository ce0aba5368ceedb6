/**
 * The shared database goes away for longer than the window and comes back: no node process
 * dies, active nodes fence themselves, and the cluster converges to N actives on its own. The
 * nodes' own records prove that at no time more than N believed themselves active.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { findFreePort } from '@/lib/node/ports';
import { holdsFor, pollUntil } from '../helpers/poll';
import { isAlive, stopAllNodes } from '../helpers/node-process';
import { withClient } from '../helpers/database';
import { activeNodes, health, maxBelievedActive, seedCluster, startNodes } from '../helpers/cluster';

let database: TBuiltInDatabase | undefined;
let dataDir: string;

afterAll(async () => {
  await stopAllNodes();
  await database?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('database outage', () => {
  it('fences the actives, keeps every process alive, and converges back to N actives', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-outage-db-'));
    const port = await findFreePort();
    database = await startBuiltInDatabase({ dataDir, port });
    await applyMigrations(database.url);
    await seedCluster(database.url, { intervalMs: 500, failoverHeartbeats: 4, activeNodeCount: 2 });
    const nodes = await startNodes(database.url, 3);
    await pollUntil(async () => (await activeNodes(nodes)).length === 2, { what: 'two active nodes' });
    const serverPids = nodes.map((node) => node.serverPid());

    await database.stop();
    // window 2 s: every active node must fence itself, and none may be active while the database is gone
    await pollUntil(async () => (await activeNodes(nodes)).length === 0, {
      timeoutMs: 10_000,
      what: 'the actives to fence themselves',
    });
    const states = await Promise.all(nodes.map((node) => health(node)));
    expect(states.filter((state) => state?.state === 'FENCED').length).toBe(2);
    // the database stays away well past the window; nobody may be active all that time
    await holdsFor(async () => (await activeNodes(nodes)).length === 0, 3_000, 'no active node while the database is down');

    database = await startBuiltInDatabase({ dataDir, port });
    await pollUntil(async () => (await activeNodes(nodes)).length === 2, {
      timeoutMs: 30_000,
      what: 'two active nodes after the outage',
    });

    // no node process died or was restarted
    expect(nodes.map((node) => node.serverPid())).toEqual(serverPids);
    expect(serverPids.every((pid) => isAlive(pid))).toBe(true);
    expect(maxBelievedActive(nodes)).toBeLessThanOrEqual(2);
    // each fenced node records it at its first successful heartbeat after the outage
    const fencedEvents = () =>
      withClient(
        database!.url,
        async (client) =>
          (await client.query(`SELECT count(*)::int AS n FROM cluster_event WHERE kind = 'FENCED'`)).rows[0].n as number,
      );
    await pollUntil(async () => (await fencedEvents()) === 2, { what: 'both fences to be recorded' });
    await holdsFor(async () => (await fencedEvents()) === 2, 1_000, 'each fence to be recorded once');
  });
});
