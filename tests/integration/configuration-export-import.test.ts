/**
 * Export and import between two clusters on two databases: cluster A's configuration (a plugin,
 * a generated certificate and its key, a server setting, a cluster setting, a webhook target)
 * leaves as one encrypted file; a wrong password or a modified file is refused by cluster B and
 * changes nothing; the preview names every difference; the import with a rolling reset leaves both
 * clusters on the same reference fingerprint with every node IN SYNC.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TImportPreview } from '@/lib/config/export/import-configuration';
import type { THistoryEntry } from '@/lib/config/config-history';
import type { TTargetView } from '@/lib/notify/schemas';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes } from '../helpers/cluster';
import { api as sharedApi, type TApiInit } from '../helpers/http';
import { makeTestCa } from '../helpers/receivers';

const SAMPLE = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins', 'greeting.orchplugin');
const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
const FILE_PASSWORD = 'export-password-for-tests-1';
const WEBHOOK_SECRET = 'webhook-secret-that-stays-home-42';
const OIDC_SECRET = 'oidc-client-secret-that-stays-home-7';
const work = mkdtempSync(path.join(tmpdir(), 'orch-export-'));
const passwordFile = path.join(work, 'password');
const wrongPasswordFile = path.join(work, 'wrong-password');
const exportFile = path.join(work, 'cluster-a.orchexport');
let a: NodeProcess[];
let b: NodeProcess[];

// an import derives its key with scrypt and writes a version: more time than the helper's default
const api = <T>(node: NodeProcess, route: string, init: TApiInit = {}) =>
  sharedApi<T>(node, route, { timeoutMs: 30_000, ...init });

async function orchctl(args: string[]): Promise<string> {
  const result = await runOrchctl(args, AS_ROOT);
  expect(result.code, `orchctl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const allInSync = async (nodes: NodeProcess[]) =>
  (await clusterStatus(nodes[0])).nodes.every((node) => node.syncState === 'IN_SYNC');
const historyOf = async (node: NodeProcess) =>
  (await api<{ versions: THistoryEntry[] }>(node, '/api/config/versions')).body.versions;
const targetsOf = async (node: NodeProcess) => (await api<TTargetView[]>(node, '/api/notifications/targets')).body;

beforeAll(async () => {
  writeFileSync(passwordFile, `${FILE_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(wrongPasswordFile, 'not-the-export-password\n', { mode: 0o600 });
  writeFileSync(path.join(work, 'webhook-secret'), WEBHOOK_SECRET, { mode: 0o600 });
  const [databaseA, databaseB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await seedCluster(databaseA, { intervalMs: 500, failoverHeartbeats: 4 });
  await seedCluster(databaseB, { intervalMs: 500, failoverHeartbeats: 4 });
  a = await startNodes(databaseA, 2, 'a');
  b = await startNodes(databaseB, 2, 'b');
  await pollUntil(async () => (await allInSync(a)) && (await allInSync(b)), { what: 'both clusters in sync' });
});
afterAll(stopAllNodes);

describe('configuration export and import between two clusters', () => {
  it('cluster A: a plugin, a certificate, a server setting, a cluster setting and a webhook target, pushed and reset', async () => {
    await orchctl(['plugin', 'install', '--url', a[0].url, SAMPLE]);
    await orchctl(['certificate', 'generate', '--url', a[0].url]);
    expect((await api(a[0], '/api/config/settings', { method: 'PUT', body: { logLevel: 'debug' } })).status).toBe(200);
    await orchctl(['settings', '--url', a[0].url, '--failover-heartbeats', '6']);
    await orchctl([
      'notify',
      'webhook',
      '--url',
      a[0].url,
      '--target',
      'http://127.0.0.1:9/hook',
      '--secret-file',
      path.join(work, 'webhook-secret'),
      '--name',
      'ops',
    ]);
    // a trusted CA for HTTP elements (pushed with the configuration) and how users sign in (in the database)
    const { caPem } = await makeTestCa();
    expect(
      (await api(a[0], '/api/config/trusted-cas', { method: 'POST', body: { name: 'internal-pki', pem: caPem } })).status,
    ).toBe(201);
    const auth = await api<{ version: number }>(a[0], '/api/auth/config');
    const edited = await api(a[0], '/api/auth/config', {
      method: 'PUT',
      body: {
        version: auth.body.version,
        roleRecheckSeconds: 120,
        oidc: { issuer: 'https://id.example.test', clientId: 'orchestrator', roles: [{ group: 'ops', role: 'admin' }] },
        oidcClientSecret: OIDC_SECRET,
      },
    });
    expect(edited.status).toBe(200);
    await orchctl(['push', '--url', a[0].url, '--reset', '--timeout', '180']);
    await pollUntil(() => allInSync(a), { what: 'cluster A in sync' });
  });

  it('exports one encrypted file: no key, certificate, secret or setting readable in it', async () => {
    const output = await orchctl(['config', 'export', '--url', a[1].url, '--password-file', passwordFile, '--out', exportFile]);
    expect(output).toMatch(/exported/);
    const text = readFileSync(exportFile, 'utf8');
    expect(JSON.parse(text)).toMatchObject({
      format: 'orchestrator-configuration-export/1',
      cipher: 'aes-256-gcm',
      kdf: { name: 'scrypt' },
    });
    for (const plain of [
      'PRIVATE KEY',
      'CERTIFICATE',
      WEBHOOK_SECRET,
      OIDC_SECRET,
      'greeting',
      'logLevel',
      '127.0.0.1:9',
      'id.example.test',
    ])
      expect(text).not.toContain(plain);
    const short = await api<{ error: { field: string } }>(a[0], '/api/config/export', {
      method: 'POST',
      body: { password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');
  });

  it('refuses a wrong password and a modified file on cluster B, changing nothing', async () => {
    const before = { history: await historyOf(b[0]), status: await clusterStatus(b[0]), targets: await targetsOf(b[0]) };
    const wrong = await runOrchctl(
      ['config', 'import', '--url', b[0].url, '--password-file', wrongPasswordFile, '--yes', exportFile],
      AS_ROOT,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/wrong password, or the file was modified/);

    const envelope = JSON.parse(readFileSync(exportFile, 'utf8')) as { content: string; iv: string };
    const flipped = Buffer.from(envelope.content, 'base64');
    flipped[Math.floor(flipped.length / 2)] ^= 0x01;
    const modified = path.join(work, 'modified.orchexport');
    writeFileSync(modified, JSON.stringify({ ...envelope, content: flipped.toString('base64') }));
    const tampered = await runOrchctl(
      ['config', 'import', '--url', b[0].url, '--password-file', passwordFile, '--yes', modified],
      AS_ROOT,
    );
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/wrong password, or the file was modified/);
    // a changed header (here the IV) is caught the same way
    const headerChanged = path.join(work, 'header.orchexport');
    writeFileSync(headerChanged, JSON.stringify({ ...envelope, iv: Buffer.alloc(12, 7).toString('base64') }));
    expect(
      (
        await runOrchctl(
          ['config', 'import', '--url', b[0].url, '--password-file', passwordFile, '--yes', headerChanged],
          AS_ROOT,
        )
      ).code,
    ).not.toBe(0);

    expect(await historyOf(b[0])).toEqual(before.history);
    expect(await targetsOf(b[0])).toEqual(before.targets);
    expect((await clusterStatus(b[0])).settings).toEqual(before.status.settings);
  });

  it('previews every difference on cluster B without changing anything', async () => {
    const file = readFileSync(exportFile, 'utf8');
    const preview = await api<TImportPreview>(b[0], '/api/config/import/preview', {
      method: 'POST',
      body: { file, password: FILE_PASSWORD },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.exportedFrom).toMatchObject({ node: 'a2', referenceVersion: 1 });
    const fields = preview.body.changes.map((change) => `${change.field} ${change.change}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'setting logLevel changed',
        'plugin greeting added',
        'certificate added',
        'cluster failoverHeartbeats changed',
        'notification target ops added',
        'trusted CA internal-pki added',
        'roleRecheckSeconds changed',
        'OpenID Connect added',
      ]),
    );
    // cluster B holds no client secret: the provider is not imported, and the preview says why
    expect(preview.body.changes.find((change) => change.field === 'OpenID Connect')?.note).toMatch(
      /its secret is not in the file/,
    );
    expect(JSON.stringify(preview.body)).not.toContain(OIDC_SECRET);
    expect(preview.body.changes.find((change) => change.field === 'notification target ops')?.note).toMatch(
      /secret is not in the file/,
    );
    expect(JSON.stringify(preview.body)).not.toContain('PRIVATE KEY');
    expect(await historyOf(b[0])).toEqual([]);
  });

  it('imports with a rolling reset: both clusters on the same reference fingerprint, every node IN SYNC', async () => {
    const output = await orchctl([
      'config',
      'import',
      '--url',
      b[0].url,
      '--password-file',
      passwordFile,
      '--yes',
      '--reset',
      '--timeout',
      '180',
      exportFile,
    ]);
    expect(output).toMatch(/plugin greeting: added/);
    expect(output).toMatch(/rolling reset #\d+ completed/);
    const [statusA, statusB] = await Promise.all([clusterStatus(a[0]), clusterStatus(b[0])]);
    expect(statusB.reference?.fingerprint).toBe(statusA.reference?.fingerprint);
    await pollUntil(async () => (await allInSync(a)) && (await allInSync(b)), { what: 'every node of both clusters in sync' });
    for (const node of [...(await clusterStatus(a[0])).nodes, ...(await clusterStatus(b[0])).nodes])
      expect(node.activeFingerprint).toBe(statusA.reference?.fingerprint);
    expect(statusB.settings).toMatchObject({ failoverHeartbeats: 6, heartbeatIntervalSeconds: 0.5 });
    expect(await targetsOf(b[0])).toEqual([
      expect.objectContaining({ name: 'ops', kind: 'WEBHOOK', url: 'http://127.0.0.1:9/hook', hasSecret: false }),
    ]);
    expect(readFileSync(path.join(b[1].dataDir, 'config', 'tls', 'private-key.pem'), 'utf8')).toBe(
      readFileSync(path.join(a[0].dataDir, 'config', 'tls', 'private-key.pem'), 'utf8'),
    );
    const cas = await api<{ name: string }[]>(b[1], '/api/config/trusted-cas');
    expect(cas.body.map((ca) => ca.name)).toEqual(['internal-pki']);
    const authB = await api<{ roleRecheckSeconds: number; oidc: unknown }>(b[0], '/api/auth/config');
    expect(authB.body).toMatchObject({ roleRecheckSeconds: 120, oidc: null });
    const audit = await api<{ path: string; status: number }[]>(b[0], '/api/audit?limit=50');
    expect(audit.body).toContainEqual(expect.objectContaining({ path: '/api/config/import', status: 201 }));
  });
});
