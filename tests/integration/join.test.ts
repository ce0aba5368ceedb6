/**
 * Joining a standalone node to a cluster, and leaving it, with real node processes: every
 * refusal says why in one sentence and leaves the joining node standalone with its own data.
 */
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import {
  basicAuth,
  isAlive,
  ROOT_PASSWORD,
  runOrchctl,
  startNode,
  stopAllNodes,
  type NodeProcess,
} from '../helpers/node-process';
import { clusterStatus, health, seedCluster, stateOf } from '../helpers/cluster';
import { findFreePort } from '@/lib/node/ports';

const B_ROOT = 'b-local-root-password';
let databaseUrl: string;
let seed: NodeProcess; // A: a member of the cluster
let joiner: NodeProcess; // B: standalone on its built-in database
const bLocal = basicAuth('root', B_ROOT);
const cluster = basicAuth('root', ROOT_PASSWORD);

async function post(node: NodeProcess, path: string, auth: string, body: unknown = {}) {
  const response = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const previewB = (body: Record<string, unknown>, auth = bLocal) => post(joiner, '/api/cluster/join-preview', auth, body);

/** Both steps, as the page does: check the seed, then confirm exactly what it showed. */
async function joinB(body: Record<string, unknown>, auth = bLocal) {
  const preview = await previewB(body, auth);
  if (preview.status !== 200) return preview;
  const { previewId, clusterId, clusterName, databaseHost, fingerprint } = preview.body;
  return post(joiner, '/api/cluster/join', auth, { previewId, confirmed: { clusterId, clusterName, databaseHost, fingerprint } });
}

async function expectStandaloneWithItsData(): Promise<void> {
  expect((await health(joiner))?.clusterId).toBeNull();
  const me = await fetch(`${joiner.url}/api/me`, { headers: { authorization: basicAuth('b-marker', 'marker-password') } });
  expect(me.status).toBe(200);
}

async function expectRefused(body: Record<string, unknown>, status: number, message: RegExp, field?: string) {
  const answer = await previewB(body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.message).toMatch(message);
  expect(answer.body.error.message.split(/\.\s/).length).toBe(1); // one sentence
  if (field) expect(answer.body.error.field).toBe(field);
  await expectStandaloneWithItsData();
}

async function createToken(): Promise<{ token: string; fingerprint: string }> {
  const answer = await post(seed, '/api/cluster/join-tokens', cluster, { ttlMinutes: 15 });
  expect(answer.status).toBe(201);
  return answer.body;
}

/** A stand-in seed answering with whatever a test needs (another version, a dead database). */
async function fakeSeed(routes: Record<string, unknown>): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const answer = routes[req.url ?? ''];
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { error: { message: 'not found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  [seed, joiner] = await Promise.all([
    startNode({ databaseUrl, name: 'A' }),
    startNode({ name: 'B', env: { ORCH_ROOT_PASSWORD: B_ROOT } }),
  ]);
  // B's own data, which must survive every refused join and a leave
  expect(
    (await post(joiner, '/api/users', bLocal, { name: 'b-marker', role: 'viewer', password: 'marker-password' })).status,
  ).toBe(201);
  await pollUntil(async () => (await health(seed))?.state === 'ACTIVE', { what: 'A to be active' });
});
afterAll(stopAllNodes);

describe('a refused join leaves the node standalone with its data', () => {
  it('unreachable seed', async () => {
    await expectRefused(
      { seedUrl: `http://127.0.0.1:${await findFreePort()}`, user: 'root', password: ROOT_PASSWORD },
      502,
      /^the seed node at .* cannot be reached/,
      'seedUrl',
    );
  });

  it('wrong credentials', async () => {
    await expectRefused(
      { seedUrl: seed.url, user: 'root', password: 'not-the-password' },
      422,
      /wrong user name or password for the seed node/,
      'password',
    );
  });

  it('plain HTTP to an address that is not loopback', async () => {
    await expectRefused(
      { seedUrl: 'http://192.0.2.10:3000', user: 'root', password: ROOT_PASSWORD },
      422,
      /use https:\/\//,
      'seedUrl',
    );
  });

  it('a wrong fingerprint, without spending the token', async () => {
    const { token, fingerprint } = await createToken();
    const wrong = `${fingerprint.slice(0, -2)}00`;
    await expectRefused({ seedUrl: seed.url, token, fingerprint: wrong }, 422, /^fingerprint mismatch/, 'fingerprint');
    const unused = await withClient(
      databaseUrl,
      async (client) => (await client.query('SELECT count(*)::int AS n FROM join_token WHERE used_at IS NULL')).rows[0].n,
    );
    expect(unused).toBe(1);
  });

  it('an expired token', async () => {
    const { token, fingerprint } = await createToken();
    await withClient(databaseUrl, (client) =>
      client.query(`UPDATE join_token SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL`),
    );
    await expectRefused({ seedUrl: seed.url, token, fingerprint }, 422, /the join token has expired/, 'token');
  });

  it('a seed that is not in a cluster', async () => {
    const standalone = await startNode({ name: 'C' });
    await expectRefused(
      { seedUrl: standalone.url, user: 'root', password: ROOT_PASSWORD },
      422,
      /the seed node is not in a cluster/,
      'seedUrl',
    );
    await standalone.stop();
  });

  it('joining itself', async () => {
    await expectRefused({ seedUrl: joiner.url, user: 'root', password: B_ROOT }, 422, /a node cannot join itself/, 'seedUrl');
  });

  it('incompatible versions', async () => {
    const info = await (await fetch(`${seed.url}/api/cluster/join-info`)).json();
    const fake = await fakeSeed({
      '/api/cluster/join-info': { ...info, nodeId: crypto.randomUUID(), clusterName: 'future', version: '9.0.0' },
    });
    await expectRefused(
      { seedUrl: fake.url, user: 'root', password: ROOT_PASSWORD },
      422,
      /incompatible versions: this node runs 0\.\d+\.\d+, the cluster 9\.0\.0/,
    );
    fake.close();
  });

  it('a shared database the joining node cannot reach', async () => {
    const info = await (await fetch(`${seed.url}/api/cluster/join-info`)).json();
    // A's real bundle (A gives it to its administrator over loopback), pointing at a port where nothing listens
    const bundle = await post(seed, '/api/cluster/join-bundle', '', {
      node: { id: crypto.randomUUID(), name: 'probe', url: 'http://127.0.0.1:1', version: info.version },
      credentials: { user: 'root', password: ROOT_PASSWORD },
    });
    expect(bundle.status).toBe(200);
    const fake = await fakeSeed({
      '/api/cluster/join-info': { ...info, nodeId: crypto.randomUUID() },
      '/api/cluster/join-bundle': {
        ...bundle.body,
        databaseUrl: `postgresql://orch:secret-password@127.0.0.1:${await findFreePort()}/orch`,
      },
    });
    await expectRefused(
      { seedUrl: fake.url, user: 'root', password: ROOT_PASSWORD },
      422,
      /the shared database postgresql:\/\/orch:\*\*\*@127\.0\.0\.1:\d+\/orch is not reachable from this node/,
    );
    fake.close();
  });
});

describe('joining, failing over and leaving', () => {
  it("joins with the seed administrator's credentials and comes back as a STANDBY member", async () => {
    const databasePid = joiner.databasePid();
    const answer = await joinB({ seedUrl: seed.url, user: 'root', password: ROOT_PASSWORD });
    expect(answer.status).toBe(202);
    const clusterId = (await health(seed))!.clusterId;
    expect(answer.body).toMatchObject({ clusterId, restarting: true });
    await pollUntil(async () => (await health(joiner))?.clusterId === clusterId, { what: 'B to come back in the cluster' });
    await pollUntil(async () => stateOf(await clusterStatus(seed), 'B') === 'STANDBY', { what: 'A to list B as STANDBY' });
    expect((await health(joiner))?.state).toBe('STANDBY');
    expect(isAlive(databasePid)).toBe(false); // its built-in database stopped
    // users come from the cluster now
    expect((await fetch(`${joiner.url}/api/me`, { headers: { authorization: cluster } })).status).toBe(200);
    // the secrets key came in the bundle: the same as the seed's, 0600 in B's data directory
    const keyFile = (node: NodeProcess) => path.join(node.dataDir, 'secrets', 'cluster.key');
    expect(readFileSync(keyFile(joiner), 'utf8')).toBe(readFileSync(keyFile(seed), 'utf8'));
    expect(statSync(keyFile(joiner)).mode & 0o777).toBe(0o600);
  });

  it('refuses a second join while it is a member', async () => {
    const answer = await previewB({ seedUrl: seed.url, user: 'root', password: ROOT_PASSWORD }, cluster);
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toBe('this node is already a member of a cluster; leave it first');
  });

  it('becomes ACTIVE within the window when A is killed', async () => {
    const killedAt = Date.now();
    seed.killGroup('SIGKILL');
    await pollUntil(async () => (await health(joiner))?.state === 'ACTIVE', { intervalMs: 50, what: 'B to take over' });
    expect(Date.now() - killedAt).toBeLessThanOrEqual(3_000 + 1_000 + 1_500);
    seed = await startNode({ databaseUrl, dataDir: seed.dataDir, port: seed.port, name: 'A' });
  });

  it('leaves: standalone again with its earlier data, and A shows it removed', async () => {
    const answer = await post(joiner, '/api/cluster/leave', cluster);
    expect(answer.status).toBe(202);
    await pollUntil(async () => (await health(joiner))?.clusterId === null, { what: 'B to be standalone again' });
    await pollUntil(async () => (await health(joiner))?.state === 'ACTIVE', { what: 'B active on its own' });
    await expectStandaloneWithItsData();
    expect(stateOf(await clusterStatus(seed), 'B')).toBe('REMOVED');
    expect((await fetch(`${joiner.url}/api/me`, { headers: { authorization: bLocal } })).status).toBe(200);
  });
});

describe('joining by token and fingerprint through the CLI', () => {
  it('shows what the seed answered and joins only when confirmed: not without a terminal or --yes, not when an --expect-… option is not met', async () => {
    const asB = [
      'join',
      '--url',
      joiner.url,
      '--user',
      'root',
      '--password',
      B_ROOT,
      '--seed',
      seed.url,
      '--seed-user',
      'root',
      '--seed-password',
      ROOT_PASSWORD,
    ];
    const unconfirmed = await runOrchctl(asB);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stdout).toMatch(/^  database host: /m);
    expect(unconfirmed.stderr.trim()).toBe(
      'orchctl: not joined: confirm on a terminal, or pass --yes (with --expect-cluster, --expect-database, --expect-fingerprint to check the answer)',
    );
    const elsewhere = await runOrchctl([...asB, '--yes', '--expect-cluster', 'some-other-cluster']);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr.trim()).toMatch(
      /^orchctl: not joined, the seed's answer is not what was expected: --expect-cluster some-other-cluster: the seed's cluster is /,
    );
    const otherDatabase = await runOrchctl([...asB, '--yes', '--expect-database', 'db.example:5432/orch']);
    expect(otherDatabase.code).not.toBe(0);
    expect(otherDatabase.stderr).toMatch(/--expect-database db\.example:5432\/orch: the cluster's database is 127\.0\.0\.1:/);
    await expectStandaloneWithItsData();
  });

  it('joins again with a one-time token; the token cannot be reused, a wrong fingerprint is refused', async () => {
    const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];
    const created = await runOrchctl(['join-token', '--url', seed.url, ...asRoot, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { token, fingerprint } = JSON.parse(created.stdout) as { token: string; fingerprint: string };
    const clusterName = (await clusterStatus(seed)).name;

    const wrong = await runOrchctl([
      'join',
      '--url',
      joiner.url,
      '--user',
      'root',
      '--password',
      B_ROOT,
      '--seed',
      seed.url,
      '--token',
      token,
      '--fingerprint',
      `${fingerprint.slice(0, -2)}00`,
      '--yes',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim()).toMatch(/^orchctl: fingerprint mismatch/);
    await expectStandaloneWithItsData();

    // B left earlier: joining again lifts its tombstone; the fingerprint may be pasted in any case, without colons
    const joined = await runOrchctl([
      'join',
      '--url',
      joiner.url,
      '--user',
      'root',
      '--password',
      B_ROOT,
      '--seed',
      seed.url,
      '--token',
      token,
      '--fingerprint',
      fingerprint.replaceAll(':', '').toLowerCase(),
      '--yes',
      '--expect-cluster',
      clusterName,
    ]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toMatch(new RegExp(`^  cluster: +${clusterName} \\(`, 'm'));
    expect(joined.stdout).toMatch(/^  database host: +127\.0\.0\.1:\d+\/test_\w+$/m);
    expect(joined.stdout).not.toContain(new URL(databaseUrl).password || 'no password in the URL');
    expect(joined.stdout).toMatch(/^joined cluster .* as (STANDBY|ACTIVE)/m);
    await pollUntil(async () => stateOf(await clusterStatus(seed), 'B') === 'STANDBY', { what: 'B to be a member again' });

    const other = await startNode({ name: 'D', env: { ORCH_ROOT_PASSWORD: 'd-root-password' } });
    const reused = await runOrchctl([
      'join',
      '--url',
      other.url,
      '--user',
      'root',
      '--password',
      'd-root-password',
      '--seed',
      seed.url,
      '--token',
      token,
      '--fingerprint',
      fingerprint,
      '--yes',
    ]);
    expect(reused.code).not.toBe(0);
    expect(reused.stderr.trim()).toMatch(/^orchctl: the seed node refused: the join token was already used/);
    expect((await health(other))?.clusterId).toBeNull();

    const left = await runOrchctl(['leave', '--url', joiner.url, ...asRoot]);
    expect(left.code, left.stderr).toBe(0);
    expect((await health(joiner))?.clusterId).toBeNull();
  });
});
