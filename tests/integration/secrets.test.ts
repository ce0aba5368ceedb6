/**
 * Secrets never leave the places they belong: after a full tour (a certificate generated and
 * pushed, API and join tokens created, a workflow run, a rolling reset), no API answer a user
 * can read and no node log holds the database password, a private key, a token value, the
 * session secret or the root password. (The join bundle, which carries secrets to a joining
 * node over HTTPS or loopback, and the one-time answers that show a new token are the deliberate
 * exceptions, and are not read here.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, ROOT, seedCluster, startNodes } from '../helpers/cluster';
import { startRun, waitForStatus } from '../helpers/workflows';

let databaseUrl: string;
let nodes: NodeProcess[];
const secrets: Record<string, string> = {};

async function call(node: NodeProcess, route: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${node.url}${route}`, {
    method: init.method ?? 'GET',
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, text: await response.text() };
}

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
  await pollUntil(async () => (await clusterStatus(nodes[0])).nodes.every((node) => node.activeFingerprint), { what: 'both nodes reporting' });

  secrets['database password'] = decodeURIComponent(new URL(databaseUrl).password);
  secrets['root password'] = ROOT_PASSWORD;
  expect((await call(nodes[0], '/api/config/certificate', { method: 'POST', body: { action: 'generate' } })).status).toBe(201);
  const key = readFileSync(path.join(nodes[0].dataDir, 'config', 'tls', 'private-key.pem'), 'utf8');
  secrets['private key (a line of it)'] = key.split('\n')[5];
  const apiToken = JSON.parse((await call(nodes[0], '/api/tokens', { method: 'POST', body: { name: 'secret-test' } })).text);
  secrets['API token'] = apiToken.token;
  const joinToken = JSON.parse((await call(nodes[0], '/api/cluster/join-tokens', { method: 'POST', body: { ttlMinutes: 15 } })).text);
  secrets['join token'] = joinToken.token;
  const [row] = await withClient(databaseUrl, async (client) => (await client.query("SELECT value, (SELECT private_key_pem FROM cluster WHERE id = 1) AS cluster_key FROM shared_secret WHERE name = 'auth'")).rows);
  secrets['session secret'] = row.value;
  secrets['cluster private key (a line of it)'] = String(row.cluster_key).split('\n')[5];

  const reset = await runOrchctl(['push', '--url', nodes[0].url, '--reset', '--timeout', '120'], { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD });
  expect(reset.code, reset.stderr).toBe(0);
  const runId = await startRun(nodes[0], 'Cluster Test', { count: 2 });
  await waitForStatus(databaseUrl, [runId], 'COMPLETED', 30_000);
});
afterAll(stopAllNodes);

describe('secrets', () => {
  it('appear in no API answer a user can read', async () => {
    const status = await clusterStatus(nodes[0]);
    const nodeId = status.nodes[0].id;
    const runs = JSON.parse((await call(nodes[0], '/api/runs')).text) as { id: string }[];
    const routes = [
      '/api/health', '/api/health/active', '/api/cluster', '/api/cluster/events?limit=1000', `/api/cluster/nodes/${nodeId}`,
      `/api/cluster/nodes/${nodeId}/configuration`, '/api/cluster/join-info', '/api/config/certificate', '/api/config/plugins',
      '/api/config/settings', '/api/workflows', '/api/workflows/Cluster%20Test', '/api/runs', `/api/runs/${runs[0].id}`,
      `/api/runs/${runs[0].id}/logs`, '/api/logs/system', '/api/users', '/api/tokens', '/api/me', '/api/audit', '/api/metrics',
    ];
    for (const node of nodes) {
      for (const route of routes) {
        const { status: code, text } = await call(node, route);
        // (/api/health/active answers 503 on the standby: that is its job)
        expect(code, route).toBe(route === '/api/health/active' && code === 503 ? 503 : 200);
        for (const [what, value] of Object.entries(secrets)) expect(text.includes(value), `${what} in ${route} on ${node.port}`).toBe(false);
        expect(text, route).not.toMatch(/PRIVATE KEY/);
      }
    }
    // the pages themselves render what these answers hold; the login page gets nothing else
    const login = await (await fetch(`${nodes[0].url}/login`)).text();
    for (const value of Object.values(secrets)) expect(login.includes(value)).toBe(false);
  });

  it('appear in no node log: the nodes\' output, system logs and records', () => {
    for (const node of nodes) {
      const texts = [node.output(), ...filesUnder(path.join(node.dataDir, 'logs')).map((file) => readFileSync(file, 'utf8'))];
      expect(texts[0].length).toBeGreaterThan(100);
      for (const text of texts) {
        for (const [what, value] of Object.entries(secrets)) expect(text.includes(value), `${what} in the logs of ${node.port}`).toBe(false);
        expect(text).not.toMatch(/PRIVATE KEY/);
      }
    }
  });
});
