/**
 * Configuration history and rollback on real nodes: every push is listed (who, when, from which
 * node, what changed); two versions compare field by field; pushing an older version again makes
 * it the reference as a new version, which every node (the one asked included) writes to disk;
 * with --reset the nodes restart one at a time and end IN SYNC on it. Bad versions change nothing.
 * Then plugins: disabled (kept on disk, not loaded) and uninstalled, each pushed like any change
 * and shown in the difference; last, a support bundle with one member down names it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extract as extractTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { THistoryEntry, TVersionComparison } from '@/lib/config/config-history';
import type { TAuditEntryView } from '@/lib/audit/list-audit';
import type { TNodeConfiguration } from '@/lib/config/read-node-configuration';
import { getRun, importDefinition, startRun } from '../helpers/workflows';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes } from '../helpers/cluster';
import { api } from '../helpers/http';

const SAMPLE = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins', 'greeting.orchplugin');
const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
let nodes: NodeProcess[];

async function orchctl(args: string[]): Promise<string> {
  const result = await runOrchctl(args, AS_ROOT);
  expect(result.code, `orchctl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const history = async () => JSON.parse(await orchctl(['config', 'history', '--url', nodes[1].url, '--json'])) as THistoryEntry[];
const syncStates = async () => (await clusterStatus(nodes[0])).nodes.map((node) => node.syncState);
const hasPlugin = (node: NodeProcess) => existsSync(path.join(node.dataDir, 'plugins', 'greeting.orchplugin'));

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await syncStates()).every((state) => state === 'IN_SYNC'), { what: 'both nodes in sync' });
});
afterAll(stopAllNodes);

describe('configuration history and rollback', () => {
  it('lists every push with who, when, from which node and what changed', async () => {
    expect(await history()).toEqual([]);
    await orchctl(['push', '--url', nodes[0].url]);
    await orchctl(['plugin', 'install', '--url', nodes[0].url, SAMPLE]);
    await orchctl(['push', '--url', nodes[0].url]);
    await pollUntil(() => hasPlugin(nodes[1]), { what: 'n2 to write the plugin' });

    const versions = await history();
    expect(versions.map((entry) => entry.version)).toEqual([2, 1]);
    for (const entry of versions) {
      expect(entry).toMatchObject({
        pushedBy: 'root',
        pushedFromName: 'n1',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(Date.parse(entry.pushedAt)).toBeGreaterThan(Date.now() - 600_000);
    }
    expect(versions[0].reference).toBe(true);
    expect(versions[0].changes).toEqual([expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'added' })]);
    expect(versions[1].changes).toBeNull();
    expect((await clusterStatus(nodes[0])).reference?.fingerprint).toBe(versions[0].fingerprint);
  });

  it('compares any two versions field by field, both ways', async () => {
    const forward = await api<TVersionComparison>(nodes[1], '/api/config/versions/compare?from=1&to=2');
    expect(forward.status).toBe(200);
    expect(forward.body.differences).toEqual([expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'added' })]);
    const text = await orchctl(['config', 'diff', '--url', nodes[1].url, '2', '1']);
    expect(text).toMatch(/plugin greeting: removed/);
  });

  it('refuses unknown versions and malformed input, naming the field, and changes nothing', async () => {
    const unknown = await api<{ error: { code: string; field: string } }>(nodes[0], '/api/config/versions/99/rollback', {
      method: 'POST',
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('version');
    const malformed = await api<{ error: { field: string } }>(nodes[0], '/api/config/versions/abc/rollback', {
      method: 'POST',
      body: {},
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe('version');
    const badBody = await api<{ error: { field: string } }>(nodes[0], '/api/config/versions/1/rollback', {
      method: 'POST',
      body: { reset: 'yes' },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.field).toBe('reset');
    const same = await runOrchctl(['config', 'rollback', '--url', nodes[0].url, '2'], AS_ROOT);
    expect(same.code).not.toBe(0);
    expect(same.stderr).toMatch(/nothing to push/);
    expect((await history()).map((entry) => entry.version)).toEqual([2, 1]);
  });

  it('push version 1 again: a new version 3 with its fingerprint; both nodes, the asking one too, drop the plugin from disk', async () => {
    const before = await history();
    const output = await orchctl(['config', 'rollback', '--url', nodes[1].url, '1']);
    expect(output).toMatch(/version 1 pushed again as version 3/);
    const versions = await history();
    expect(versions[0]).toMatchObject({ version: 3, fingerprint: before[1].fingerprint, reference: true, pushedFromName: 'n2' });
    expect(versions[0].changes).toEqual([expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'removed' })]);
    await pollUntil(() => !hasPlugin(nodes[0]) && !hasPlugin(nodes[1]), { what: 'both nodes to remove the plugin file' });
    // neither node was restarted since version 2, so both still run version 1's configuration: in sync again without a restart
    await pollUntil(async () => (await syncStates()).every((state) => state === 'IN_SYNC'), {
      what: 'both nodes in sync on version 3',
    });
    const audit = await api<TAuditEntryView[]>(nodes[0], '/api/audit?limit=50');
    expect(audit.body).toContainEqual(
      expect.objectContaining({ actor: 'root', method: 'POST', path: '/api/config/versions/1/rollback', status: 201 }),
    );
  });

  it('push version 2 again with reset: the nodes restart one at a time and end IN SYNC on it', async () => {
    const target = (await history()).find((entry) => entry.version === 2)!;
    const output = await orchctl(['config', 'rollback', '--url', nodes[0].url, '2', '--reset', '--timeout', '180']);
    expect(output).toMatch(/rolling reset #\d+ completed/);
    const status = await clusterStatus(nodes[1]);
    expect(status.reference).toMatchObject({ version: 4, fingerprint: target.fingerprint });
    expect(status.nodes.map((node) => node.syncState)).toEqual(['IN_SYNC', 'IN_SYNC']);
    expect(status.nodes.map((node) => node.activeFingerprint)).toEqual([target.fingerprint, target.fingerprint]);
    expect(hasPlugin(nodes[0]) && hasPlugin(nodes[1])).toBe(true);
  });
});

const GREET_WORKFLOW = {
  name: 'greet-once',
  elements: [{ id: 'call', type: 'action', plugin: 'greeting', action: 'greet', inputs: { name: "'ops'" }, output: 'r' }],
};

async function runGreeting(): Promise<{ status: string; error: string | null }> {
  const active = (await clusterStatus(nodes[0])).nodes.find((node) => node.state === 'ACTIVE');
  const node = nodes.find((candidate) => candidate.url === active?.url) ?? nodes[0];
  const runId = await startRun(node, 'greet-once');
  let run = await getRun(node, runId);
  await pollUntil(
    async () => {
      run = await getRun(node, runId);
      return run.status === 'COMPLETED' || run.status === 'FAILED';
    },
    { what: 'the greeting run to finish' },
  );
  return { status: run.status, error: run.error };
}

describe('plugins: disable and uninstall, pushed like any change', () => {
  it('runs the plugin while it is enabled', async () => {
    await importDefinition(nodes[0], GREET_WORKFLOW);
    expect(await runGreeting()).toMatchObject({ status: 'COMPLETED' });
  });

  it('disable on n1: a local change shown in the difference; pushed with reset, the file stays on every disk and the plugin is not loaded', async () => {
    const output = await orchctl(['plugin', 'disable', '--url', nodes[0].url, 'greeting']);
    expect(output).toMatch(/greeting disabled/);
    const n1 = (await clusterStatus(nodes[0])).nodes.find((node) => node.name === 'n1')!;
    await pollUntil(
      async () => (await clusterStatus(nodes[0])).nodes.find((node) => node.name === 'n1')?.syncState === 'LOCAL_CHANGES',
      { what: 'n1 local changes' },
    );
    const difference = await api<TNodeConfiguration>(nodes[1], `/api/cluster/nodes/${n1.id}/configuration`);
    expect(difference.body.onDisk).toContainEqual(
      expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'changed', node: expect.stringMatching(/disabled$/) }),
    );
    const listed = JSON.parse(await orchctl(['plugin', 'list', '--url', nodes[0].url, '--json'])) as {
      plugins: { name: string; enabled: boolean }[];
    };
    expect(listed.plugins).toEqual([expect.objectContaining({ name: 'greeting', enabled: false })]);

    await orchctl(['push', '--url', nodes[0].url, '--reset', '--timeout', '180']);
    await pollUntil(async () => (await syncStates()).every((state) => state === 'IN_SYNC'), {
      what: 'both in sync on the disabled plugin',
    });
    expect(hasPlugin(nodes[0]) && hasPlugin(nodes[1])).toBe(true);
    expect(JSON.parse(readFileSync(path.join(nodes[1].dataDir, 'config', 'disabled-plugins.json'), 'utf8'))).toEqual([
      'greeting',
    ]);
    expect((await history())[0].changes).toEqual([
      expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'changed' }),
    ]);
    const run = await runGreeting();
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/greeting/);
  });

  it('uninstall on n2: pushed, every node removes the file; the audit log has the uninstall', async () => {
    const unknown = await api<{ error: { field: string } }>(nodes[1], '/api/config/plugins/no-such-plugin', { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    await orchctl(['plugin', 'uninstall', '--url', nodes[1].url, 'greeting']);
    await orchctl(['push', '--url', nodes[1].url]);
    // a node applies a version file by file (the plugin removed, then the list of disabled ones
    // written): wait for both, not for the first
    const disabledList = path.join(nodes[0].dataDir, 'config', 'disabled-plugins.json');
    await pollUntil(() => !hasPlugin(nodes[0]) && !hasPlugin(nodes[1]) && !existsSync(disabledList), {
      what: 'both nodes to remove the plugin file, and n1 its list of disabled plugins',
    });
    expect((await history())[0].changes).toEqual([
      expect.objectContaining({ kind: 'plugin', name: 'greeting', change: 'removed' }),
    ]);
    const audit = await api<TAuditEntryView[]>(nodes[0], '/api/audit?limit=50');
    expect(audit.body).toContainEqual(
      expect.objectContaining({ actor: 'root', method: 'DELETE', path: '/api/config/plugins/greeting', status: 200 }),
    );
  });
});

describe('support bundle', () => {
  it('names a member that could not be reached in its manifest', async () => {
    await nodes[1].stop();
    await pollUntil(
      async () => (await clusterStatus(nodes[0])).nodes.find((node) => node.name === 'n2')?.state === 'NOT_RESPONDING',
      { what: 'n2 not responding' },
    );
    const file = path.join(nodes[0].dataDir, '..', `bundle-${process.pid}.tar.gz`);
    const output = await orchctl(['support-bundle', '--url', nodes[0].url, '--out', file]);
    expect(output).toMatch(/not collected from: n2/);
    const unpacked = mkdtempSync(path.join(tmpdir(), 'orch-bundle-test-'));
    await extractTar({ file, cwd: unpacked });
    const [folder] = readdirSync(unpacked);
    const manifest = JSON.parse(readFileSync(path.join(unpacked, folder, 'manifest.json'), 'utf8')) as {
      unreachable: string[];
      members: { name: string; systemLog: string }[];
    };
    expect(manifest.unreachable).toEqual(['n2']);
    expect(manifest.members).toEqual([
      expect.objectContaining({ name: 'n1', systemLog: expect.stringMatching(/lines$/) }),
      expect.objectContaining({ name: 'n2', systemLog: expect.stringMatching(/NOT_RESPONDING/) }),
    ]);
    expect(existsSync(path.join(unpacked, folder, 'configuration', 'history.json'))).toBe(true);
  });
});
