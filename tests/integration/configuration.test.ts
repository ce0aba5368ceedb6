/**
 * Configuration fingerprints on real nodes: equal configurations have equal fingerprints; a
 * plugin installed on A changes A's pending fingerprint (A: LOCAL CHANGES, restart pending;
 * B: OUT OF SYNC), and after a restart A runs what it has on disk. A node whose configuration
 * file cannot be read is shown as UNREADABLE, with an alarm, until it can be read again.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { isAlive, ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes } from '../helpers/cluster';
import { api } from '../helpers/workflows';

const SAMPLE = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins', 'greeting.orchplugin');
let nodes: NodeProcess[];

const member = async (name: string) => (await clusterStatus(nodes[1])).nodes.find((node) => node.name === name)!;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
});
afterAll(stopAllNodes);

describe('configuration fingerprints and sync states', () => {
  it('reports equal fingerprints for equal configurations: both in sync', async () => {
    const [a, b] = await pollUntil(
      async () => {
        const found = [await member('n1'), await member('n2')];
        return found.every((node) => node.activeFingerprint) ? found : undefined;
      },
      { what: 'both nodes to report fingerprints' },
    );
    expect(a.activeFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a.activeFingerprint).toBe(b.activeFingerprint);
    expect([a.syncState, b.syncState, a.restartPending]).toEqual(['IN_SYNC', 'IN_SYNC', false]);
  });

  it('shows a plugin installed on A as local changes on A and out of sync on B, until A restarts', async () => {
    const before = await member('n1');
    const installed = await runOrchctl(['plugin', 'install', '--url', nodes[0].url, SAMPLE], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
    });
    expect(installed.code, installed.stderr).toBe(0);
    await pollUntil(async () => (await member('n1')).syncState === 'LOCAL_CHANGES', { what: 'A to report its local changes' });
    const a = await member('n1');
    expect(a.activeFingerprint).toBe(before.activeFingerprint); // the running node did not load it
    expect(a.pendingFingerprint).not.toBe(before.activeFingerprint);
    expect(a.restartPending).toBe(true);
    expect((await member('n2')).syncState).toBe('OUT_OF_SYNC');

    // a restart of A's server (the supervisor starts it again) loads what is on disk
    const serverPid = nodes[0].serverPid()!;
    process.kill(serverPid, 'SIGKILL');
    await pollUntil(async () => !isAlive(serverPid) && (await member('n1')).activeFingerprint === a.pendingFingerprint, {
      what: 'A to run its new configuration',
    });
    expect((await member('n1')).restartPending).toBe(false);
  });

  it('shows a node whose configuration file is corrupt as UNREADABLE, with an alarm and an event, until the file is fixed', async () => {
    const file = path.join(nodes[1].dataDir, 'config', 'settings.json');
    const original = existsSync(file) ? await readFile(file, 'utf8') : null;
    const before = (await member('n2')).syncState;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{ "logLevel": ');
    const status = await pollUntil(
      async () => {
        const current = await clusterStatus(nodes[0]);
        return current.nodes.find((node) => node.name === 'n2')?.syncState === 'UNREADABLE' ? current : undefined;
      },
      { what: 'n2 to be shown as UNREADABLE' },
    );
    const n2 = status.nodes.find((node) => node.name === 'n2')!;
    expect(n2.configUnreadable).toMatch(/JSON/);
    expect(n2.state).not.toBe('NOT_RESPONDING'); // the heartbeats go on
    expect(status.converged).toBe(false);
    expect(status.alarms.filter((alarm) => alarm.code === 'CONFIG_UNREADABLE').map((alarm) => alarm.nodeId)).toEqual([n2.id]);
    const events = await api<{ kind: string; nodeId: string | null }[]>(nodes[0], '/api/cluster/events?kind=CONFIG_UNREADABLE');
    expect(events.body.map((event) => event.nodeId)).toContain(n2.id);

    if (original === null) await rm(file);
    else await writeFile(file, original);
    await pollUntil(async () => (await member('n2')).syncState === before, { what: `n2 to be ${before} again` });
    expect((await clusterStatus(nodes[0])).alarms.some((alarm) => alarm.code === 'CONFIG_UNREADABLE')).toBe(false);
  });
});
