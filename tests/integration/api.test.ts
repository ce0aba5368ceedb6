/**
 * The API of a real node: authentication (Basic, token, session cookie), roles, validation,
 * the last-admin rule, optimistic versions and sign-in rate limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { signIn } from '../helpers/session';
import { pollUntil } from '../helpers/poll';

let databaseUrl: string;
let node: NodeProcess;
const root = basicAuth('root', ROOT_PASSWORD);

async function api(
  path: string,
  init: { method?: string; body?: unknown; auth?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${node.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.auth ? { authorization: init.auth } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const userCount = () =>
  withClient(databaseUrl, async (client) => Number((await client.query('SELECT count(*) FROM app_user')).rows[0].count));

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl });
});
afterAll(stopAllNodes);

describe('health', () => {
  it('answers without sign-in, in the SPEC shape', async () => {
    const health = await api('/api/health');
    expect(health.status).toBe(200);
    expect(Object.keys(health.body).sort()).toEqual(['clusterId', 'epoch', 'name', 'nodeId', 'state', 'version']);
    // on a shared database the node is a member of that database's cluster
    expect(health.body.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    await pollUntil(async () => (await api('/api/health/active')).status === 200, { what: 'the only node to become active' });
    expect((await api('/api/health')).body).toMatchObject({ state: 'ACTIVE', epoch: expect.any(Number) });
  });
});

describe('authentication and roles', () => {
  it('answers 401 JSON without credentials, and for wrong ones', async () => {
    expect(await api('/api/users')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect((await api('/api/users', { auth: basicAuth('root', 'wrong-password') })).status).toBe(401);
    expect((await api('/api/users', { auth: 'Bearer orch_not-a-token' })).status).toBe(401);
  });

  it('lets a viewer read and refuses their changes with 403', async () => {
    const created = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'vera', role: 'viewer', password: 'viewer-password' },
    });
    expect(created.status).toBe(201);
    const viewer = basicAuth('vera', 'viewer-password');
    expect((await api('/api/users', { auth: viewer })).status).toBe(200);
    const before = await userCount();
    expect(
      await api('/api/users', { method: 'POST', auth: viewer, body: { name: 'mallory', role: 'admin', password: 'xxxxxxxxxx' } }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(
      (await api(`/api/users/${created.body.id}`, { method: 'PATCH', auth: viewer, body: { role: 'admin', version: 1 } })).status,
    ).toBe(403);
    expect((await api(`/api/users/${created.body.id}`, { method: 'DELETE', auth: viewer })).status).toBe(403);
    // the status API lists what each caller may do to each node: nothing for a viewer, restart for an administrator
    const asViewer = await api('/api/cluster', { auth: viewer });
    expect(asViewer.body.nodes.every((node: { actions: string[] }) => node.actions.length === 0)).toBe(true);
    const asAdmin = await api('/api/cluster', { auth: root });
    expect(asAdmin.body.nodes[0].actions).toEqual(expect.arrayContaining(['maintenance-on', 'restart']));
    expect(await userCount()).toBe(before);
  });
});

describe('bad input', () => {
  it('gets 400 naming the field and changes nothing', async () => {
    const before = await userCount();
    const wrongType = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'ann', role: 'viewer', password: 12345678 },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: 'VALIDATION', field: 'password' });
    const badRole = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'ann', role: 'root', password: 'long-enough' },
    });
    expect(badRole.body.error.field).toBe('role');
    const notJson = await api('/api/users', { method: 'POST', auth: root, body: '{"name": ' });
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const tooLarge = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'x'.repeat(2 * 1024 * 1024), role: 'viewer', password: 'long-enough' },
    });
    expect(tooLarge.status).toBe(413);
    expect(await userCount()).toBe(before);
  });

  it('refuses a duplicate user name on the name field', async () => {
    await api('/api/users', { method: 'POST', auth: root, body: { name: 'dup', role: 'viewer', password: 'long-enough' } });
    const again = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'dup', role: 'admin', password: 'long-enough' },
    });
    expect(again).toMatchObject({ status: 409, body: { error: { field: 'name' } } });
  });
});

describe('users', () => {
  it('never deletes or demotes the last admin', async () => {
    const users = (await api('/api/users', { auth: root })).body as { id: string; name: string; version: number }[];
    const rootUser = users.find((user) => user.name === 'root')!;
    expect(
      await api(`/api/users/${rootUser.id}`, {
        method: 'PATCH',
        auth: root,
        body: { role: 'viewer', version: rootUser.version },
      }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'LAST_ADMIN' } },
    });
    expect((await api(`/api/users/${rootUser.id}`, { method: 'DELETE', auth: root })).body.error.code).toBe('LAST_ADMIN');
    // with a second admin, root can be demoted
    const other = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'ada', role: 'admin', password: 'admin-password' },
    });
    const ada = basicAuth('ada', 'admin-password');
    expect(
      (
        await api(`/api/users/${rootUser.id}`, {
          method: 'PATCH',
          auth: ada,
          body: { role: 'operator', version: rootUser.version },
        })
      ).status,
    ).toBe(200);
    expect((await api(`/api/users/${other.body.id}`, { method: 'DELETE', auth: ada })).body.error.code).toBe('LAST_ADMIN');
    expect(
      (
        await api(`/api/users/${rootUser.id}`, {
          method: 'PATCH',
          auth: ada,
          body: { role: 'admin', version: rootUser.version + 1 },
        })
      ).status,
    ).toBe(200);
  });

  it('answers 409 to a change based on a stale version, and resets passwords', async () => {
    const created = await api('/api/users', {
      method: 'POST',
      auth: root,
      body: { name: 'olga', role: 'operator', password: 'first-password' },
    });
    const first = await api(`/api/users/${created.body.id}`, {
      method: 'PATCH',
      auth: root,
      body: { password: 'second-password', version: 1 },
    });
    expect(first.body.version).toBe(2);
    expect((await api('/api/me', { auth: basicAuth('olga', 'second-password') })).body).toMatchObject({
      name: 'olga',
      role: 'operator',
    });
    const stale = await api(`/api/users/${created.body.id}`, {
      method: 'PATCH',
      auth: root,
      body: { role: 'viewer', version: 1 },
    });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'STALE_VERSION' } } });
    expect((await api('/api/me', { auth: basicAuth('olga', 'second-password') })).body.role).toBe('operator');
  });
});

describe('API tokens', () => {
  it('authenticate the CLI until revoked; only a hash is stored', async () => {
    const created = await api('/api/tokens', { method: 'POST', auth: root, body: { name: 'ci' } });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^orch_/);
    const ok = await runOrchctl(['status', '--url', node.url, '--json'], { ORCH_TOKEN: token });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).nodes).toHaveLength(1);
    const listed = await api('/api/tokens', { auth: `Bearer ${token}` });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const stored = await withClient(databaseUrl, (client) => client.query('SELECT token_hash FROM api_token'));
    expect(JSON.stringify(stored.rows)).not.toContain(token);

    expect((await api(`/api/tokens/${created.body.id}`, { method: 'DELETE', auth: root })).body.revokedAt).toBeTruthy();
    const refused = await runOrchctl(['status', '--url', node.url], { ORCH_TOKEN: token });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe('orchctl: the API token is not valid, has expired or was revoked (HTTP 401)');
  });
});

describe('sessions', () => {
  it('check Origin on cookie-authenticated writes, and hold on every node of the database', async () => {
    const { cookie } = await signIn(node.url, 'root', ROOT_PASSWORD);
    expect(cookie).toMatch(/^next-auth.session-token=/);
    const body = { name: 'via-cookie', role: 'viewer', password: 'long-enough' };
    expect((await api('/api/users', { method: 'POST', body, headers: { cookie } })).status).toBe(403);
    expect((await api('/api/users', { method: 'POST', body, headers: { cookie, origin: 'http://evil.example' } })).status).toBe(
      403,
    );
    expect((await api('/api/users', { method: 'POST', body, headers: { cookie, origin: node.url } })).status).toBe(201);

    const other = await startNode({ databaseUrl });
    const me = await fetch(`${other.url}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).name).toBe('root');
    await other.stop();
  });
});

describe('sign-in rate limit', () => {
  it('refuses even the right password after five failures for a user', async () => {
    await api('/api/users', { method: 'POST', auth: root, body: { name: 'target', role: 'viewer', password: 'the-right-one' } });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await signIn(node.url, 'target', `wrong-${attempt}`)).error).toBe('CredentialsSignin');
    }
    const blocked = await signIn(node.url, 'target', 'the-right-one');
    expect(blocked.cookie).toBe('');
    expect(blocked.error).toMatch(/Too many failed sign-ins for this user/);
    expect(await api('/api/me', { auth: basicAuth('target', 'the-right-one') })).toMatchObject({ status: 429 });
    // other users are not affected
    expect((await signIn(node.url, 'root', ROOT_PASSWORD)).cookie).not.toBe('');
  });
});
