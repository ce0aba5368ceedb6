/**
 * Push configuration on real nodes (the reference scenario): two nodes in sync; a plugin
 * installed on A makes A LOCAL CHANGES and B OUT OF SYNC, the difference naming the plugin; a
 * push makes B write it and show PENDING RESTART; a push with reset restarts the nodes one at a
 * time and both end IN SYNC, with an ACTIVE node at every moment, as the nodes themselves report.
 * Then hot and restart-required settings, and restarting a node from the API.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TNodeConfiguration } from '@/lib/config/read-node-configuration';
import type { TMemberView } from '@/lib/cluster/status';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes, watchForAnActiveNode } from '../helpers/cluster';
import { api } from '../helpers/http';

const SAMPLE = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins', 'greeting.orchplugin');
const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
let nodes: NodeProcess[];
let databaseUrl: string;

const members = async () => (await clusterStatus(nodes[1])).nodes;
const member = async (name: string): Promise<TMemberView> => (await members()).find((node) => node.name === name)!;
const syncStates = async () => Object.fromEntries((await members()).map((node) => [node.name, node.syncState]));

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(
    async () =>
      (await members()).every((node) => (node.activeFingerprint && node.state === 'ACTIVE') || node.state === 'STANDBY'),
    {
      what: 'both nodes to report',
    },
  );
});
afterAll(stopAllNodes);

describe('push configuration and reset nodes', () => {
  it('two nodes start in sync; a plugin installed on A: A LOCAL CHANGES, B OUT OF SYNC, the difference naming the plugin', async () => {
    await pollUntil(async () => Object.values(await syncStates()).every((state) => state === 'IN_SYNC'), {
      what: 'both in sync',
    });
    const installed = await runOrchctl(['plugin', 'install', '--url', nodes[0].url, SAMPLE], AS_ROOT);
    expect(installed.code, installed.stderr).toBe(0);
    await pollUntil(
      async () => {
        const states = await syncStates();
        return states.n1 === 'LOCAL_CHANGES' && states.n2 === 'OUT_OF_SYNC';
      },
      { what: 'A: local changes, B: out of sync' },
    );

    const a = (await api<TNodeConfiguration>(nodes[1], `/api/cluster/nodes/${(await member('n1')).id}/configuration`)).body;
    expect(a.onDisk).toContainEqual(expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'added' }));
    const b = (await api<TNodeConfiguration>(nodes[1], `/api/cluster/nodes/${(await member('n2')).id}/configuration`)).body;
    expect(b.base?.label).toContain('n1');
    expect(b.running).toContainEqual(expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'removed' }));
  });

  it('push: B writes the plugin into its data directory within a heartbeat and shows PENDING RESTART', async () => {
    const pushed = await runOrchctl(['push', '--url', nodes[0].url], AS_ROOT);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/pushed configuration version 1/);
    await pollUntil(async () => (await syncStates()).n2 === 'PENDING_RESTART', { what: 'B pending restart', timeoutMs: 10_000 });
    expect(existsSync(path.join(nodes[1].dataDir, 'plugins', 'greeting.orchplugin'))).toBe(true);
    const status = await clusterStatus(nodes[0]);
    expect(status.reference).toMatchObject({ version: 1, pushedBy: 'root', pushedFromName: 'n1' });
    expect(status.converged).toBe(false);
    // nothing new to push: refused, and no version written
    const again = await api<{ error: { message: string } }>(nodes[0], '/api/config/push', { method: 'POST', body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already the reference/);
  });

  it('push and reset: the nodes restart one at a time and end IN SYNC, with an ACTIVE node throughout', async () => {
    const watcher = watchForAnActiveNode(nodes);
    const startedAt = (await members()).map((node) => node.startedAt);
    const reset = await runOrchctl(['push', '--url', nodes[0].url, '--reset', '--timeout', '120'], AS_ROOT);
    const { samples, gaps } = await watcher.stop();
    expect(reset.code, `${reset.stdout}\n${reset.stderr}`).toBe(0);
    expect(reset.stdout).toMatch(/completed/);

    const after = await clusterStatus(nodes[1]);
    expect(after.nodes.map((node) => node.syncState)).toEqual(['IN_SYNC', 'IN_SYNC']);
    expect(after.converged).toBe(true);
    expect(after.rollout).toMatchObject({
      status: 'COMPLETED',
      steps: [
        { name: 'n2', status: 'IN_SYNC' },
        { name: 'n1', status: 'IN_SYNC' },
      ],
    });
    // both were restarted, and the extra active slot the reset used is gone again
    expect(after.nodes.map((node) => node.startedAt).every((value, index) => value > startedAt[index])).toBe(true);
    expect(after.settings.activeNodeCount).toBe(1);
    expect(samples).toBeGreaterThan(20);
    expect(gaps, `samples with no ACTIVE node: ${gaps.length} of ${samples}`).toEqual([]);
  });

  it('a hot setting applies without a restart; a restart-required one shows PENDING RESTART after the push', async () => {
    const hot = await api(nodes[0], '/api/config/settings', { method: 'PUT', body: { runRetentionDays: 7 } });
    expect(hot.status).toBe(200);
    await pollUntil(async () => (await member('n1')).syncState === 'LOCAL_CHANGES', { what: 'A: local changes' });
    expect((await member('n1')).restartPending).toBe(false);
    expect((await runOrchctl(['push', '--url', nodes[0].url], AS_ROOT)).code).toBe(0);
    await pollUntil(async () => Object.values(await syncStates()).every((state) => state === 'IN_SYNC'), {
      what: 'both in sync without a restart',
    });

    const restartRequired = await api(nodes[0], '/api/config/settings', { method: 'PUT', body: { maxConcurrentRuns: 3 } });
    expect(restartRequired.status).toBe(200);
    await pollUntil(async () => (await member('n1')).restartPending, { what: 'A: restart pending' });
    expect((await runOrchctl(['push', '--url', nodes[0].url], AS_ROOT)).code).toBe(0);
    await pollUntil(
      async () => {
        const states = await syncStates();
        return states.n1 === 'PENDING_RESTART' && states.n2 === 'PENDING_RESTART';
      },
      { what: 'both pending restart' },
    );
    const diff = (await api<TNodeConfiguration>(nodes[0], `/api/cluster/nodes/${(await member('n2')).id}/configuration`)).body;
    expect(diff.running).toEqual([
      expect.objectContaining({ kind: 'setting', name: 'maxConcurrentRuns', node: 10, base: 3, apply: 'restart' }),
    ]);
    expect(diff.onDisk).toEqual([]);
  });

  it('refuses bad settings naming the field, and changes nothing', async () => {
    const before = await api(nodes[0], '/api/config/settings');
    const bad = await api<{ error: { field: string } }>(nodes[0], '/api/config/settings', {
      method: 'PUT',
      body: { maxConcurrentRuns: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('maxConcurrentRuns');
    expect((await api(nodes[0], '/api/config/settings')).body).toEqual(before.body);
  });

  it('an admin restarts a node from the API: it comes back running what is on its disk', async () => {
    const b = await member('n2');
    const restarted = await runOrchctl(['restart', '--url', nodes[0].url, 'n2'], AS_ROOT);
    expect(restarted.code, restarted.stderr).toBe(0);
    await pollUntil(
      async () => {
        const now = await member('n2');
        return now.startedAt > b.startedAt && now.syncState === 'IN_SYNC';
      },
      { what: 'B restarted and in sync', timeoutMs: 30_000 },
    );
  });

  it('gives up a rolling reset whose coordinator went silent, and puts back the active slot it added', async () => {
    const before = await clusterStatus(nodes[0]);
    const raised = await api(nodes[0], '/api/cluster/settings', {
      method: 'PUT',
      body: { activeNodeCount: 2, version: before.settings.version },
    });
    expect(raised.status).toBe(200);
    // a coordinator that has been silent for two minutes, in the middle of its reset
    await withClient(databaseUrl, async (client) => {
      const ghost = '00000000-0000-4000-8000-00000000aaaa';
      await client.query(
        `INSERT INTO cluster_node (id, name, url, version, last_heartbeat_at) VALUES ($1, 'ghost', 'http://ghost', '0.1.0', now() - interval '2 minutes')`,
        [ghost],
      );
      await client.query(
        `INSERT INTO config_rollout (version, started_by, coordinator_node, status, steps, restore_active_node_count) VALUES (1, 'root', $1, 'RUNNING', '[]', 1)`,
        [ghost],
      );
    });
    const after = await pollUntil(
      async () => {
        const status = await clusterStatus(nodes[0]);
        return status.rollout?.status === 'FAILED' ? status : undefined;
      },
      { what: 'the silent rollout to be given up', timeoutMs: 30_000 },
    );
    expect(after.rollout?.message).toMatch(/ghost stopped responding/);
    // the slot is given back by a settings change of its own, just after the FAILED mark commits
    await expect.poll(async () => (await clusterStatus(nodes[0])).settings.activeNodeCount).toBe(1);
  });

  it('says so when the active slot of a given-up rolling reset cannot be put back, and puts it back once it can', async () => {
    const before = await clusterStatus(nodes[0]);
    const raised = await api(nodes[0], '/api/cluster/settings', {
      method: 'PUT',
      body: { activeNodeCount: 2, version: before.settings.version },
    });
    expect(raised.status).toBe(200);
    // a silent coordinator whose rollout names a count the database refuses (at least 1 active node)
    const rolloutId = await withClient(databaseUrl, async (client) => {
      const ghost = '00000000-0000-4000-8000-00000000bbbb';
      await client.query(
        `INSERT INTO cluster_node (id, name, url, version, last_heartbeat_at) VALUES ($1, 'ghost-2', 'http://ghost-2', '0.1.0', now() - interval '2 minutes')`,
        [ghost],
      );
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO config_rollout (version, started_by, coordinator_node, status, steps, restore_active_node_count) VALUES (1, 'root', $1, 'RUNNING', '[]', 0) RETURNING id`,
        [ghost],
      );
      return rows[0].id;
    });
    const failed = await pollUntil(
      async () => {
        const status = await clusterStatus(nodes[0]);
        return status.rollout?.id === rolloutId && /could not be put back/.test(status.rollout.message ?? '')
          ? status
          : undefined;
      },
      { what: "the failed restore in the rollout's message", timeoutMs: 30_000 },
    );
    expect(failed.rollout?.message).toMatch(
      /^its coordinating node ghost-2 stopped responding; the active node count could not be put back to 0 \(.+\); the cluster keeps one more active node/,
    );
    expect(failed.settings.activeNodeCount).toBe(2);
    const events = await api<{ kind: string; details: { rollout?: number } }[]>(
      nodes[0],
      '/api/cluster/events?kind=ROLLOUT_RESTORE_FAILED',
    );
    expect(events.body.filter((event) => event.details.rollout === rolloutId)).toHaveLength(1);

    // the count becomes one the database takes: the settle loop puts it back, and nothing more is owed
    await withClient(databaseUrl, (client) =>
      client.query('UPDATE config_rollout SET restore_active_node_count = 1 WHERE id = $1', [rolloutId]),
    );
    await pollUntil(async () => (await clusterStatus(nodes[0])).settings.activeNodeCount === 1, {
      what: 'the active count put back',
      timeoutMs: 30_000,
    });
    await pollUntil(
      () =>
        withClient(
          databaseUrl,
          async (client) =>
            (await client.query('SELECT restore_active_node_count FROM config_rollout WHERE id = $1', [rolloutId])).rows[0]
              .restore_active_node_count === null,
        ),
      { what: 'the restore no longer owed' },
    );
    const again = await api<{ kind: string; details: { rollout?: number } }[]>(
      nodes[0],
      '/api/cluster/events?kind=ROLLOUT_RESTORE_FAILED',
    );
    expect(again.body.filter((event) => event.details.rollout === rolloutId)).toHaveLength(1);
  });
});
