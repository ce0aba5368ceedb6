/**
 * Sign-in through a real directory: Debian's OpenLDAP (slapd) on loopback with ldaps:// from a
 * CA made by this test, configured with `orchctl auth ldap`, in front of a two-node cluster.
 * Real Chromium signs in on node A and uses the session on node B; HTTP Basic (as the CLI does)
 * and API tokens act with the role the directory's groups give, re-checked while they live.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { basicAuth, ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { ROOT, seedCluster, startNodes } from '../helpers/cluster';
import { pollUntil } from '../helpers/poll';
import { signIn } from '../helpers/session';
import { GROUPS, makeTestCa, PEOPLE, READER_DN, Slapd } from '../helpers/slapd';

const READER_PASSWORD = 'reader-bind-password-7c1f';
const USERS = [
  { uid: 'alice', password: 'alice-password-1', groups: ['admins', 'viewers'] },
  { uid: 'oscar', password: 'oscar-password-1', groups: ['operators'] },
  { uid: 'victor', password: 'victor-password-1', groups: ['viewers'] },
  { uid: 'nadia', password: 'nadia-password-1', groups: ['unmapped'] },
];
const password = (uid: string) => USERS.find((user) => user.uid === uid)!.password;
const ROOT_CLI = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
/** a page shows its data once its request answers: slow on a busy machine */
const PAGE_DEADLINE = { timeout: 30_000, interval: 200 };

let databaseUrl: string;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let slapd: Slapd;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let scratch: string;

async function call(node: NodeProcess, route: string, authorization: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${node.url}${route}`, {
    method: init.method ?? 'GET',
    headers: { authorization, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const me = (node: NodeProcess, authorization: string) => call(node, '/api/me', authorization);

async function authConfig(): Promise<{ version: number; ldap: Record<string, unknown> }> {
  return (await call(nodeA, '/api/auth/config', ROOT)).json as never;
}

async function freshPage(): Promise<Page> {
  await context?.close();
  context = await browser.newContext();
  page = await context.newPage();
  return page;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [slapd, [nodeA, nodeB], browser] = await Promise.all([
    Slapd.start({ users: USERS, groups: ['admins', 'operators', 'viewers', 'unmapped'], readerPassword: READER_PASSWORD }),
    startNodes(databaseUrl, 2),
    launchBrowser(),
  ]);
  scratch = mkdtempSync(path.join(os.tmpdir(), 'orch-ldap-test-'));
  await writeFile(path.join(scratch, 'ca.pem'), slapd.ca.cert);
  await writeFile(path.join(scratch, 'bind-password'), `${READER_PASSWORD}\n`, { mode: 0o600 });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await slapd?.destroy();
  await stopAllNodes();
});

describe('LDAP sign-in', () => {
  it('orchctl auth ldap configures the directory; a directory user then authenticates with HTTP Basic and /api/me gives the mapped role', async () => {
    const configured = await runOrchctl(
      [
        'auth',
        'ldap',
        '--url',
        nodeA.url,
        '--server',
        slapd.ldapsUrl,
        '--ca-file',
        path.join(scratch, 'ca.pem'),
        '--bind-dn',
        READER_DN,
        '--bind-password-file',
        path.join(scratch, 'bind-password'),
        '--user-base',
        PEOPLE,
        '--user-filter',
        '(uid={user})',
        '--group-base',
        GROUPS,
        '--member-attribute',
        'member',
        '--role',
        `${Slapd.groupDn('admins')}=admin`,
        '--role',
        `${Slapd.groupDn('operators')}=operator`,
        '--role',
        `${Slapd.groupDn('viewers')}=viewer`,
      ],
      ROOT_CLI,
    );
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toContain('password stored');
    expect(configured.stdout).not.toContain(READER_PASSWORD);
    const recheck = await runOrchctl(['auth', 'local', '--url', nodeA.url, '--recheck-seconds', '2'], ROOT_CLI);
    expect(recheck.code, recheck.stderr).toBe(0);

    // the configuration is the cluster's: node B applies it with no restart
    expect((await me(nodeB, basicAuth('alice', password('alice')))).json).toMatchObject({ name: 'alice', role: 'admin' });
    expect((await me(nodeA, basicAuth('oscar', password('oscar')))).json).toMatchObject({ name: 'oscar', role: 'operator' });
    expect((await me(nodeA, basicAuth('victor', password('victor')))).json).toMatchObject({ name: 'victor', role: 'viewer' });
    expect((await me(nodeA, basicAuth('alice', 'not-her-password'))).status).toBe(401);

    const rows = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query("SELECT name, source, role::text, password_hash FROM app_user WHERE source = 'ldap' ORDER BY name"))
          .rows,
    );
    expect(rows).toEqual([
      { name: 'alice', source: 'ldap', role: 'admin', password_hash: null },
      { name: 'oscar', source: 'ldap', role: 'operator', password_hash: null },
      { name: 'victor', source: 'ldap', role: 'viewer', password_hash: null },
    ]);
  });

  it('never returns, shows or records the bind password', async () => {
    const shown = await runOrchctl(['auth', 'show', '--url', nodeB.url, '--json'], ROOT_CLI);
    expect(shown.code, shown.stderr).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view.ldap).toMatchObject({ servers: [slapd.ldapsUrl], bindDn: READER_DN, hasBindPassword: true });
    for (const route of ['/api/auth/config', '/api/cluster/events?limit=1000', '/api/audit']) {
      const { text } = await call(nodeA, route, ROOT);
      expect(text.includes(READER_PASSWORD), route).toBe(false);
    }
    const events = (await call(nodeA, '/api/cluster/events?kind=AUTH_CONFIG_CHANGED', ROOT)).json as unknown as {
      actor: string;
      details: { changed: string[] };
    }[];
    expect(events.some((event) => event.actor === 'root' && event.details.changed.includes('ldapBindPassword'))).toBe(true);
    for (const node of [nodeA, nodeB]) expect(node.output().includes(READER_PASSWORD)).toBe(false);
  });

  it('refuses a stale edit of the configuration', async () => {
    const { version } = await authConfig();
    const first = await call(nodeA, '/api/auth/config', ROOT, { method: 'PUT', body: { version, roleRecheckSeconds: 2 } });
    expect(first.status).toBe(200);
    const stale = await call(nodeB, '/api/auth/config', ROOT, { method: 'PUT', body: { version, localAccountsEnabled: false } });
    expect(stale.status).toBe(409);
    expect((await authConfig()).version).toBe(version + 1);
  });

  it('test shows the DN, the groups and the role without signing in', async () => {
    const tested = await runOrchctl(['auth', 'test', '--url', nodeA.url, '--test-user', 'nadia'], {
      ...ROOT_CLI,
      ORCH_TEST_USER_PASSWORD: password('nadia'),
    });
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain(`DN: ${Slapd.userDn('nadia')}`);
    expect(tested.stdout).toContain(Slapd.groupDn('unmapped'));
    expect(tested.stdout).toContain('role: none (refused)');
    const withOperator = await call(nodeA, '/api/auth/test', ROOT, {
      method: 'POST',
      body: { name: 'oscar', password: password('oscar') },
    });
    expect(withOperator.json).toMatchObject({
      dn: Slapd.userDn('oscar'),
      groups: [Slapd.groupDn('operators')],
      role: 'operator',
    });
    const wrong = await call(nodeA, '/api/auth/test', ROOT, {
      method: 'POST',
      body: { name: 'oscar', password: 'wrong-password' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ field: 'password' });
    const rows = await withClient(
      databaseUrl,
      async (client) => (await client.query("SELECT name FROM app_user WHERE name = 'nadia'")).rows,
    );
    expect(rows).toEqual([]);
  });

  it('the Authentication page shows the configuration without the bind password, and its Test button the DN, groups and role', async () => {
    await freshPage();
    await signInWithForm(page, nodeB.url, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    await page.goto(`${nodeB.url}/authentication`);
    await expect.poll(() => page.getByLabel('Servers').inputValue(), PAGE_DEADLINE).toBe(slapd.ldapsUrl);
    expect(await page.getByLabel('Bind password').inputValue()).toBe('');
    expect(await page.getByLabel('Bind password').getAttribute('placeholder')).toContain('stored');
    expect((await page.content()).includes(READER_PASSWORD)).toBe(false);
    await page.getByLabel('Directory user', { exact: true }).fill('oscar');
    await page.getByLabel('Their password', { exact: true }).fill(password('oscar'));
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByLabel('Test result');
    await expect.poll(() => result.textContent(), PAGE_DEADLINE).toContain(Slapd.userDn('oscar'));
    expect(await result.textContent()).toContain(Slapd.groupDn('operators'));
    expect(await result.textContent()).toContain('oscar would sign in as operator');
  });

  it('an admins-group member signs in on node A in Chromium, and the session works on node B', async () => {
    await freshPage();
    await signInWithForm(page, nodeA.url, 'alice', password('alice'));
    await page.waitForURL(/\/cluster/);
    // the session cookie is the host's, whatever the port: the same browser now opens node B
    await page.goto(`${nodeB.url}/users`);
    await page.waitForURL(/\/users/);
    await expect.poll(() => page.getByRole('cell', { name: 'alice', exact: true }).count(), PAGE_DEADLINE).toBe(1);
    const cookie = (await context.cookies(nodeB.url)).find((entry) => entry.name === 'next-auth.session-token');
    expect(cookie).toBeDefined();
    const onB = await fetch(`${nodeB.url}/api/me`, { headers: { cookie: `next-auth.session-token=${cookie!.value}` } });
    expect(await onB.json()).toMatchObject({ name: 'alice', role: 'admin' });
  });

  it('a viewer-group member cannot change settings', async () => {
    const { cookie } = await signIn(nodeB.url, 'victor', password('victor'));
    expect(cookie).not.toBe('');
    const status = await fetch(`${nodeB.url}/api/cluster`, { headers: { cookie } });
    const { settings } = (await status.json()) as { settings: { version: number } };
    const bySession = await fetch(`${nodeB.url}/api/cluster/settings`, {
      method: 'PUT',
      headers: { cookie, origin: nodeB.url, 'content-type': 'application/json' },
      body: JSON.stringify({ version: settings.version, failoverHeartbeats: 6 }),
    });
    expect(bySession.status).toBe(403);
    const byBasic = await call(nodeA, '/api/cluster/settings', basicAuth('victor', password('victor')), {
      method: 'PUT',
      body: { version: settings.version, failoverHeartbeats: 6 },
    });
    expect(byBasic.status).toBe(403);
  });

  it('a user in no mapped group is refused with a message that says so', async () => {
    const basic = await me(nodeA, basicAuth('nadia', password('nadia')));
    expect(basic.status).toBe(403);
    expect(JSON.stringify(basic.json)).toContain('none of the directory groups');
    await freshPage();
    await signInWithForm(page, nodeA.url, 'nadia', password('nadia'));
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'none of the directory groups' }).count(), PAGE_DEADLINE)
      .toBe(1);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('a name like *)(uid=* matches nobody', async () => {
    for (const name of ['*)(uid=*', '*', 'alice)(uid=*', 'al*']) {
      expect((await me(nodeA, basicAuth(name, password('alice')))).status, name).toBe(401);
    }
    const tested = await call(nodeA, '/api/auth/test', ROOT, {
      method: 'POST',
      body: { name: '*)(uid=*', password: password('alice') },
    });
    expect(tested.status).toBe(404);
  });

  it('removing a user from the admins group demotes their session and their API token within the re-check', async () => {
    const { cookie } = await signIn(nodeA.url, 'alice', password('alice'));
    const session = { cookie };
    const token = (
      await call(nodeA, '/api/tokens', basicAuth('alice', password('alice')), {
        method: 'POST',
        body: { name: 'alice-automation' },
      })
    ).json.token as string;
    const bearer = `Bearer ${token}`;
    const roleBySession = async (node: NodeProcess) =>
      ((await (await fetch(`${node.url}/api/me`, { headers: session })).json()) as { role?: string }).role;
    expect(await roleBySession(nodeB)).toBe('admin');
    expect((await me(nodeB, bearer)).json.role).toBe('admin');

    await slapd.removeFromGroup('alice', 'admins');
    await pollUntil(async () => (await roleBySession(nodeB)) === 'viewer', {
      timeoutMs: 30_000,
      what: 'the session demoted to viewer',
    });
    await pollUntil(async () => (await me(nodeA, bearer)).json.role === 'viewer', {
      timeoutMs: 30_000,
      what: 'the token demoted to viewer',
    });

    // out of every mapped group: the session and the token stop working
    await slapd.removeFromGroup('alice', 'viewers');
    await pollUntil(async () => (await fetch(`${nodeA.url}/api/me`, { headers: session })).status === 401, {
      timeoutMs: 30_000,
      what: 'the session refused',
    });
    await pollUntil(async () => (await me(nodeB, bearer)).status === 401, { timeoutMs: 30_000, what: 'the token refused' });

    // back in a group: a new sign-in works again, with the role it grants
    await slapd.addToGroup('alice', 'admins');
    expect((await me(nodeA, basicAuth('alice', password('alice')))).json).toMatchObject({ role: 'admin' });
  });

  it('refuses a directory whose certificate the configured CA did not sign', async () => {
    const other = await makeTestCa('Some other CA');
    const config = await authConfig();
    const { hasBindPassword: _hidden, ...ldap } = config.ldap;
    const wrongCa = await call(nodeA, '/api/auth/config', ROOT, {
      method: 'PUT',
      body: { version: config.version, ldap: { ...ldap, caCertificate: other.cert } },
    });
    expect(wrongCa.status, wrongCa.text).toBe(200);
    const refused = await me(nodeB, basicAuth('oscar', password('oscar')));
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.json)).toMatch(/directory unreachable.*certificate/);
    const restored = await call(nodeA, '/api/auth/config', ROOT, { method: 'PUT', body: { version: config.version + 1, ldap } });
    expect(restored.status, restored.text).toBe(200);
    expect((await me(nodeB, basicAuth('oscar', password('oscar')))).json).toMatchObject({ role: 'operator' });
  });

  it('tries the servers in order, and upgrades ldap:// with StartTLS', async () => {
    const config = await authConfig();
    const { hasBindPassword: _hidden, ...ldap } = config.ldap;
    // nothing listens on port 9: the next server in the list answers
    const ordered = await call(nodeA, '/api/auth/config', ROOT, {
      method: 'PUT',
      body: { version: config.version, ldap: { ...ldap, servers: ['ldaps://127.0.0.1:9', slapd.ldapsUrl], timeoutSeconds: 2 } },
    });
    expect(ordered.status, ordered.text).toBe(200);
    expect((await me(nodeB, basicAuth('oscar', password('oscar')))).json).toMatchObject({ role: 'operator' });
    const startTls = await call(nodeA, '/api/auth/config', ROOT, {
      method: 'PUT',
      body: { version: config.version + 1, ldap: { ...ldap, servers: [slapd.ldapUrl], startTls: true } },
    });
    expect(startTls.status, startTls.text).toBe(200);
    expect((await me(nodeB, basicAuth('oscar', password('oscar')))).json).toMatchObject({ role: 'operator' });
    const restored = await call(nodeA, '/api/auth/config', ROOT, { method: 'PUT', body: { version: config.version + 2, ldap } });
    expect(restored.status, restored.text).toBe(200);
  });

  it('local accounts other than root can be switched off', async () => {
    const created = await call(nodeA, '/api/users', ROOT, {
      method: 'POST',
      body: { name: 'lena', role: 'operator', password: 'lena-password-1' },
    });
    expect(created.status).toBe(201);
    expect((await me(nodeA, basicAuth('lena', 'lena-password-1'))).status).toBe(200);
    const off = await runOrchctl(['auth', 'local', '--url', nodeA.url, '--disable'], ROOT_CLI);
    expect(off.code, off.stderr).toBe(0);
    const refused = await me(nodeB, basicAuth('lena', 'lena-password-1'));
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.json)).toContain('local accounts are switched off');
    expect((await me(nodeB, ROOT)).status).toBe(200);
    const on = await runOrchctl(['auth', 'local', '--url', nodeA.url, '--enable'], ROOT_CLI);
    expect(on.code, on.stderr).toBe(0);
  });

  it('with slapd stopped, directory users get "directory unreachable" and root still signs in', async () => {
    await slapd.stop();
    try {
      const basic = await me(nodeA, basicAuth('oscar', password('oscar')));
      expect(basic.status).toBe(503);
      expect(JSON.stringify(basic.json)).toContain('directory unreachable');

      await freshPage();
      await signInWithForm(page, nodeB.url, 'oscar', password('oscar'));
      await expect
        .poll(() => page.getByRole('alert').filter({ hasText: 'directory unreachable' }).count(), PAGE_DEADLINE)
        .toBe(1);

      await freshPage();
      await signInWithForm(page, nodeB.url, 'root', ROOT_PASSWORD);
      await page.waitForURL(/\/cluster/);
      expect((await me(nodeA, ROOT)).json).toMatchObject({ name: 'root', role: 'admin' });
    } finally {
      await slapd.resume();
    }
    expect((await me(nodeA, basicAuth('oscar', password('oscar')))).json).toMatchObject({ role: 'operator' });
  });
});
