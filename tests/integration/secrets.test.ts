/**
 * Secrets never leave the places they belong: after a full tour (a certificate generated and
 * pushed, API and join tokens created, a workflow run, a rolling reset), no API answer a user
 * can read and no node log holds the database password, a private key, a token value, the
 * session secret or the root password. (The join bundle, which carries secrets to a joining
 * node over HTTPS or loopback, and the one-time answers that show a new token are the deliberate
 * exceptions, and are not read here.)
 *
 * Nor can another local user get them: not from the process list (the launcher, its server and
 * the built-in PostgreSQL, started with a password-bearing database URL), not from the node's
 * data directory (0700, files 0600), not from a file left in /tmp while the built-in database
 * was initialised.
 */
import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extract as extractTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContent } from '@/lib/config/export/sealed-file';
import { sealRefreshToken } from '@/lib/auth/directory/oidc-refresh';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { allPids, commandLineOf, processTree } from '../helpers/processes';
import { activeNodes, clusterStatus, seedCluster, startNodes } from '../helpers/cluster';
import { api } from '../helpers/http';
import { startWebhookReceiver } from '../helpers/receivers';
import { getRun, importDefinition, startRun, waitForStatus } from '../helpers/workflows';

let databaseUrl: string;
let nodes: NodeProcess[];
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
/** what the loopback receiver got from the http element that read the workflow secret */
let receivedAuthorization: string | undefined;
/** a fresh node on its own built-in database, started by this file */
let standalone: NodeProcess;
/** world-readable files that appeared in the temporary folders while that node started, read at once */
const temporaryFiles: { file: string; text: string }[] = [];
const secrets: Record<string, string> = {};

const call = (node: NodeProcess, route: string, init: { method?: string; body?: unknown } = {}) => api(node, route, init);

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
  } catch {
    return [];
  }
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await clusterStatus(nodes[0])).nodes.every((node) => node.activeFingerprint), {
    what: 'both nodes reporting',
  });

  secrets['database password'] = decodeURIComponent(new URL(databaseUrl).password);
  secrets['root password'] = ROOT_PASSWORD;
  expect((await call(nodes[0], '/api/config/certificate', { method: 'POST', body: { action: 'generate' } })).status).toBe(201);
  const key = readFileSync(path.join(nodes[0].dataDir, 'config', 'tls', 'private-key.pem'), 'utf8');
  secrets['private key (a line of it)'] = key.split('\n')[5];
  const apiToken = JSON.parse((await call(nodes[0], '/api/tokens', { method: 'POST', body: { name: 'secret-test' } })).text);
  secrets['API token'] = apiToken.token;
  const joinToken = JSON.parse(
    (await call(nodes[0], '/api/cluster/join-tokens', { method: 'POST', body: { ttlMinutes: 15 } })).text,
  );
  secrets['join token'] = joinToken.token;
  const [row] = await withClient(
    databaseUrl,
    async (client) =>
      (
        await client.query(
          "SELECT value, (SELECT private_key_pem FROM cluster WHERE id = 1) AS cluster_key FROM shared_secret WHERE name = 'auth'",
        )
      ).rows,
  );
  secrets['session secret'] = row.value;
  // the directory's secrets are write-only: set here, never to be read back anywhere
  secrets['LDAP bind password'] = 'ldap-bind-password-for-the-secrets-test';
  secrets['OpenID client secret'] = 'oidc-client-secret-for-the-secrets-test';
  const authConfig = JSON.parse((await call(nodes[0], '/api/auth/config')).text);
  const directory = await call(nodes[0], '/api/auth/config', {
    method: 'PUT',
    body: {
      version: authConfig.version,
      ldap: {
        servers: ['ldaps://127.0.0.1:9'],
        bindDn: 'cn=reader,dc=example,dc=test',
        userBase: 'ou=people,dc=example,dc=test',
        userFilter: '(uid={user})',
        groupBase: 'ou=groups,dc=example,dc=test',
        roles: [],
      },
      ldapBindPassword: secrets['LDAP bind password'],
      oidc: { issuer: 'http://127.0.0.1:9', clientId: 'orchestrator', roles: [] },
      oidcClientSecret: secrets['OpenID client secret'],
    },
  });
  expect(directory.status, directory.text).toBe(200);
  // an OpenID user's refresh token, stored sealed as a sign-in stores it (the round trip through a
  // real provider is tests/e2e/oidc-sign-in.test.ts)
  secrets['OpenID refresh token'] = `oidc-refresh-${randomBytes(16).toString('hex')}`;
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO app_user (id, name, role, source, role_checked_at, updated_at)
       VALUES (gen_random_uuid(), 'oidc-secrets-user', 'viewer', 'oidc', now(), now()) RETURNING id::text AS id`,
    );
    const sealed = sealRefreshToken(row.value, rows[0].id, secrets['OpenID refresh token']);
    await client.query('UPDATE app_user SET oidc_refresh_token = $1 WHERE id = $2::uuid', [sealed, rows[0].id]);
  });
  secrets['cluster private key (a line of it)'] = String(row.cluster_key).split('\n')[5];

  const reset = await runOrchctl(['push', '--url', nodes[0].url, '--reset', '--timeout', '120'], {
    ORCH_USER: 'root',
    ORCH_PASSWORD: ROOT_PASSWORD,
  });
  expect(reset.code, reset.stderr).toBe(0);
  const runId = await startRun(nodes[0], 'Cluster Test', { count: 2 });
  await waitForStatus(databaseUrl, [runId], 'COMPLETED', 30_000);

  // connection strings given to Test, Move and Use (refused: nothing switches) are recorded by nobody
  secrets['password of a tested connection string'] = `tested-${Math.random().toString(36).slice(2)}`;
  const tested = new URL(databaseUrl);
  tested.password = secrets['password of a tested connection string'];
  for (const route of ['/api/database/test', '/api/database/move', '/api/database/use']) {
    expect((await call(nodes[0], route, { method: 'POST', body: { url: tested.toString() } })).status, route).not.toBe(500);
  }
  // a workflow secret, set on the active node (which seals it with the cluster key in its data
  // directory) and sent by an http element as a header to a loopback receiver
  secrets['workflow secret'] = `wf-secret-${randomBytes(12).toString('hex')}`;
  receiver = await startWebhookReceiver('unused');
  const [active] = await pollUntil(
    async () => {
      const found = await activeNodes(nodes);
      return found.length === 1 ? found : undefined;
    },
    { what: 'the active node' },
  );
  expect(
    (await call(active, '/api/secrets/api-token', { method: 'PUT', body: { value: secrets['workflow secret'] } })).status,
  ).toBe(200);
  await importDefinition(active, {
    name: 'Secret Call',
    elements: [
      {
        id: 'call',
        type: 'http',
        method: 'POST',
        url: `'${receiver.url}/ok'`,
        headers: { authorization: '"Bearer " + secret("api-token")' },
        body: '\'{"id":"s","kind":"k","node":null}\'',
        output: 'answer',
      },
    ],
  });
  const secretRun = await startRun(active, 'Secret Call');
  await waitForStatus(databaseUrl, [secretRun], 'COMPLETED', 30_000);
  receivedAuthorization = receiver.received.at(-1)?.headers.authorization;
  // a secret outside an http element is refused at import, naming the field
  const refused = await call(active, '/api/workflows', {
    method: 'POST',
    body: { name: 'Leak', elements: [{ id: 'x', type: 'set', variable: 'v', expression: 'secret("api-token")' }] },
  });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('secret(\\"name\\") can be used only in an http element');
  expect((await getRun(active, secretRun)).variables.answer).toMatchObject({ status: 204 });
}, 300_000); // two nodes, a certificate, a rolling reset and a run: minutes on a busy machine

// its own hook (and time budget): a fresh node on its own built-in database
beforeAll(async () => {
  // a file that lives only while initdb runs is read the moment it appears
  const watchers: FSWatcher[] = [...new Set([os.tmpdir(), '/tmp'])].map((dir) =>
    watch(dir, (_event, name) => {
      if (!name) return;
      const file = path.join(dir, name);
      try {
        if ((lstatSync(file).mode & 0o004) !== 0 && lstatSync(file).isFile())
          temporaryFiles.push({ file, text: readFileSync(file, 'utf8') });
      } catch {
        // gone already, or a folder
      }
    }),
  );
  try {
    standalone = await startNode({ name: 'standalone' });
  } finally {
    for (const watcher of watchers) watcher.close();
  }
  const credentials = JSON.parse(readFileSync(path.join(standalone.dataDir, 'database', 'credentials.json'), 'utf8'));
  secrets['built-in database password'] = credentials.password;
}, 180_000);
afterAll(async () => {
  await stopAllNodes();
  await receiver?.close();
});

describe('secrets', () => {
  it('a workflow secret reaches its receiver, and is stored only sealed', async () => {
    expect(receivedAuthorization).toBe(`Bearer ${secrets['workflow secret']}`);
    const rows = await withClient(
      databaseUrl,
      async (client) => (await client.query<{ sealed: string }>('SELECT sealed FROM workflow_secret')).rows,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].sealed).toMatch(/^v1\./);
    expect(rows[0].sealed.includes(secrets['workflow secret'])).toBe(false);
    // and in no run's variables or events in the database
    const stored = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ text: string }>(
            `SELECT (SELECT string_agg(variables::text || coalesce(error, ''), '') FROM workflow_run) || (SELECT string_agg(coalesce(message, '') || details::text, '') FROM workflow_run_event) AS text`,
          )
        ).rows[0].text,
    );
    expect(stored.includes(secrets['workflow secret'])).toBe(false);
  });

  it('appear in no API answer a user can read', async () => {
    const status = await clusterStatus(nodes[0]);
    const nodeId = status.nodes[0].id;
    const runs = JSON.parse((await call(nodes[0], '/api/runs')).text) as { id: string }[];
    const routes = [
      '/api/health',
      '/api/health/active',
      '/api/cluster',
      '/api/cluster/events?limit=1000',
      `/api/cluster/nodes/${nodeId}`,
      `/api/cluster/nodes/${nodeId}/configuration`,
      '/api/cluster/join-info',
      '/api/config/certificate',
      '/api/config/plugins',
      '/api/config/settings',
      '/api/workflows',
      '/api/workflows/Cluster%20Test',
      '/api/workflows/Secret%20Call',
      '/api/secrets',
      '/api/runs',
      `/api/runs/${runs[0].id}`,
      `/api/runs/${runs[0].id}/logs`,
      '/api/logs/system',
      '/api/users',
      '/api/tokens',
      '/api/me',
      '/api/audit',
      '/api/metrics',
      '/api/database',
      '/api/auth/config',
      '/api/auth/providers',
    ];
    for (const node of nodes) {
      for (const route of routes) {
        const { status: code, text } = await call(node, route);
        // (/api/health/active answers 503 on the standby: that is its job)
        expect(code, route).toBe(route === '/api/health/active' && code === 503 ? 503 : 200);
        for (const [what, value] of Object.entries(secrets))
          expect(text.includes(value), `${what} in ${route} on ${node.port}`).toBe(false);
        expect(text, route).not.toMatch(/PRIVATE KEY/);
      }
    }
    // the pages themselves render what these answers hold; the login page gets nothing else
    const login = await (await fetch(`${nodes[0].url}/login`)).text();
    for (const value of Object.values(secrets)) expect(login.includes(value)).toBe(false);
  });

  it('appear in no audit entry or event, as the database holds them', async () => {
    const rows = await withClient(databaseUrl, async (client) => [
      ...(await client.query('SELECT row_to_json(a)::text AS row FROM audit_entry a')).rows,
      ...(await client.query('SELECT row_to_json(e)::text AS row FROM cluster_event e')).rows,
    ]);
    const text = rows.map((row) => row.row as string).join('\n');
    expect(text).toContain('/api/database/move');
    for (const [what, value] of Object.entries(secrets))
      expect(text.includes(value), `${what} in the audit or events`).toBe(false);
  });

  it("appear in no node log: the nodes' output, system logs and records", () => {
    for (const node of nodes) {
      const texts = [node.output(), ...filesUnder(path.join(node.dataDir, 'logs')).map((file) => readFileSync(file, 'utf8'))];
      expect(texts[0].length).toBeGreaterThan(100);
      for (const text of texts) {
        for (const [what, value] of Object.entries(secrets))
          expect(text.includes(value), `${what} in the logs of ${node.port}`).toBe(false);
        expect(text).not.toMatch(/PRIVATE KEY/);
      }
    }
  });
});

describe('secrets in exports and support bundles', () => {
  const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
  const work = mkdtempSync(path.join(os.tmpdir(), 'orch-secrets-'));
  const WEBHOOK_SECRET = 'webhook-secret-for-the-secrets-test-9';

  it('the support bundle holds the logs, events and configuration of both members, and none of the secrets', async () => {
    const target = await call(nodes[0], '/api/notifications/targets', {
      method: 'POST',
      body: {
        kind: 'WEBHOOK',
        name: 'secret-scan',
        url: 'http://127.0.0.1:9/hook',
        secret: WEBHOOK_SECRET,
        events: ['BECAME_ACTIVE'],
      },
    });
    expect(target.status, target.text).toBe(201);
    const bundle = path.join(work, 'bundle.tar.gz');
    const written = await runOrchctl(['support-bundle', '--url', nodes[0].url, '--out', bundle], AS_ROOT);
    expect(written.code, written.stderr).toBe(0);
    const unpacked = path.join(work, 'bundle');
    mkdirSync(unpacked);
    await extractTar({ file: bundle, cwd: unpacked });
    const files = filesUnder(unpacked);
    const manifest = JSON.parse(
      readFileSync(
        files.find((file) => file.endsWith('manifest.json'))!,
        'utf8',
      ),
    ) as { members: { name: string; systemLog: string }[]; unreachable: string[] };
    expect(manifest.unreachable).toEqual([]);
    expect(manifest.members.map((member) => member.systemLog)).toEqual([
      expect.stringMatching(/lines$/),
      expect.stringMatching(/lines$/),
    ]);
    expect(files.filter((file) => file.endsWith('system-log.json'))).toHaveLength(2);
    for (const name of [
      'cluster/events.json',
      'cluster/status.json',
      'cluster/rolling-resets.json',
      'configuration/history.json',
      'database.json',
    ]) {
      expect(
        files.some((file) => file.endsWith(name)),
        name,
      ).toBe(true);
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [what, value] of Object.entries({ ...secrets, 'webhook secret': WEBHOOK_SECRET }))
        expect(text.includes(value), `${what} in ${file}`).toBe(false);
      expect(text, file).not.toMatch(/PRIVATE KEY/);
    }
  });

  it("the export's decrypted content holds the certificate's key (intended: the file is encrypted) and no other secret", async () => {
    const passwordFile = path.join(work, 'export-password');
    writeFileSync(passwordFile, 'export-password-of-the-secrets-test', { mode: 0o600 });
    const file = path.join(work, 'cluster.orchexport');
    const exported = await runOrchctl(
      ['config', 'export', '--url', nodes[0].url, '--password-file', passwordFile, '--out', file],
      AS_ROOT,
    );
    expect(exported.code, exported.stderr).toBe(0);
    const sealed = readFileSync(file, 'utf8');
    const content = await openContent(sealed, 'export-password-of-the-secrets-test');
    expect(content).toContain('secret-scan');
    // the pushed certificate's key travels, encrypted: the sealed file does not show it
    expect(content).toContain(secrets['private key (a line of it)']);
    expect(sealed).not.toContain(secrets['private key (a line of it)']);
    const others = Object.entries({ ...secrets, 'webhook secret': WEBHOOK_SECRET }).filter(
      ([what]) => what !== 'private key (a line of it)',
    );
    for (const [what, value] of others) {
      expect(content.includes(value), `${what} in the export`).toBe(false);
      expect(sealed.includes(value), `${what} in the sealed file`).toBe(false);
    }
  });
});

/** Files and folders under dir, the built-in PostgreSQL's own data folder left out (it keeps that private itself). */
function entriesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (path.basename(full) === 'pgdata') return [];
    return lstatSync(full).isDirectory() ? [full, ...entriesUnder(full)] : [full];
  });
}

/** Regular files another user can read in dir: world-readable, behind folders anyone may enter. */
function worldReadableFiles(dir: string, depth = 0): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    try {
      const info = lstatSync(full);
      if (info.isDirectory()) return depth < 4 && (info.mode & 0o005) === 0o005 ? worldReadableFiles(full, depth + 1) : [];
      return info.isFile() && (info.mode & 0o004) !== 0 && info.size < 1_000_000 ? [full] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

describe('another local user', () => {
  it('reading /proc/PID/cmdline does not see the database password (launcher, server, built-in PostgreSQL)', () => {
    const ours = [...nodes, standalone].flatMap((node) => processTree(node.pid));
    // the scan below covers the processes it is about
    for (const node of [...nodes, standalone]) {
      expect(ours, `launcher of ${node.port}`).toContain(node.pid);
      expect(ours, `server of ${node.port}`).toContain(node.serverPid());
    }
    const postgres = standalone.databasePid()!;
    expect(ours, 'the built-in PostgreSQL').toContain(postgres);
    expect(processTree(postgres).length, "PostgreSQL's own children").toBeGreaterThan(1);

    for (const pid of allPids()) {
      const commandLine = commandLineOf(pid);
      for (const [what, value] of Object.entries(secrets)) {
        expect(
          commandLine.includes(value),
          `${what} in /proc/${pid}/cmdline: ${commandLine.replaceAll('\0', ' ').slice(0, 200)}`,
        ).toBe(false);
      }
    }
  });

  it("cannot read the node's files: its data directory is closed to others and every file in it is 0600", () => {
    const underRoot = process.getuid?.() === 0;
    for (const node of [nodes[0], standalone]) {
      const builtIn = node === standalone;
      const entries = entriesUnder(node.dataDir);
      for (const file of ['node.json', 'logs/active-periods.jsonl', 'run/supervisor.pid', 'run/server.pid']) {
        expect(entries, `${file} of ${node.port}`).toContain(path.join(node.dataDir, file));
      }
      if (builtIn) expect(entries).toContain(path.join(node.dataDir, 'database', 'credentials.json'));
      else expect(entries).toContain(path.join(node.dataDir, 'config', 'tls', 'private-key.pem'));

      // under root the postgres user must pass through to its data: enter, not list
      const passage = builtIn && underRoot ? [node.dataDir, path.join(node.dataDir, 'database')] : [];
      for (const entry of [node.dataDir, ...entries]) {
        const mode = statSync(entry).mode & 0o777;
        if (passage.includes(entry)) expect(mode.toString(8), entry).toBe('711');
        else if (statSync(entry).isDirectory()) expect(mode.toString(8), entry).toBe('700');
        else expect(mode.toString(8), entry).toBe('600');
      }
    }
    const systemLogs = nodes
      .map((node) => path.join(node.dataDir, 'logs', 'system.log'))
      .filter((file) => {
        try {
          return statSync(file).isFile();
        } catch {
          return false;
        }
      });
    expect(systemLogs.length, 'a system log written by the workflow run').toBeGreaterThan(0);
    for (const file of systemLogs) expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
  });

  it('finds no world-readable file in /tmp holding the built-in database password after a fresh start', () => {
    const password = secrets['built-in database password'];
    for (const { file, text } of temporaryFiles)
      expect(text.includes(password), `the built-in database password in ${file} during the start`).toBe(false);
    for (const dir of new Set([os.tmpdir(), '/tmp', '/var/tmp'])) {
      for (const file of worldReadableFiles(dir)) {
        let text = '';
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          continue; // removed meanwhile
        }
        expect(text.includes(password), `the built-in database password in ${file}`).toBe(false);
      }
    }
  });
});
