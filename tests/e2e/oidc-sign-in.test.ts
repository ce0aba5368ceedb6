/**
 * Sign-in through a real OpenID provider: the npm `oidc-provider` package run by this test as its
 * own process on loopback, with a test client registered for both nodes' callback URLs and a
 * groups claim. Real Chromium goes through the provider's login form (authorization code with
 * PKCE) on node A and on node B; a user whose groups map to nothing is refused with the reason.
 * While a session lives, the user's groups are re-read through the refresh token (re-check every
 * 2 s here): a change of groups at the provider demotes the session and the API token, a removed
 * account ends them, and a provider that hangs leaves the role as it was.
 */
import { writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { ROOT, seedCluster, startNodesTogether } from '../helpers/cluster';
import { api } from '../helpers/http';
import { holdsFor, pollUntil } from '../helpers/poll';
import { OidcProvider, type TOidcAccounts } from '../helpers/oidc-provider';
import { OIDC_CALLBACK_PATH } from '@/lib/auth/directory/auth-config';
import { openRefreshToken } from '@/lib/auth/directory/oidc-refresh';

const CLIENT_ID = 'orchestrator';
const CLIENT_SECRET = 'oidc-client-secret-for-tests-5d2a9e';
const ROOT_CLI = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
/** a page shows its data once its request answers: slow on a busy machine */
const PAGE_DEADLINE = { timeout: 30_000, interval: 200 };
const ACCOUNTS: TOidcAccounts = {
  olivia: { groups: ['orch-admins', 'staff'] },
  vera: { groups: ['orch-viewers'] },
  nora: { groups: ['staff'] },
};
/** the interval of the role re-check in this file */
const RECHECK_SECONDS = 2;

let databaseUrl: string;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let provider: OidcProvider;
let browser: Browser;
let context: BrowserContext | undefined;

async function freshPage(): Promise<Page> {
  await context?.close();
  context = await browser.newContext();
  return context.newPage();
}

/** The whole round trip in the browser: our button, the provider's login form and consent, back to the node. */
async function signInThroughProvider(page: Page, node: NodeProcess, login: string): Promise<void> {
  await page.goto(`${node.url}/login`);
  await page.getByRole('button', { name: 'Sign in with the test provider' }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [[nodeA, nodeB], browser] = await Promise.all([startNodesTogether(databaseUrl, 2), launchBrowser()]);
  provider = await OidcProvider.start({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [nodeA, nodeB].map((node) => `${node.url}${OIDC_CALLBACK_PATH}`),
    accounts: ACCOUNTS,
  });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'orch-oidc-test-'));
  await writeFile(path.join(scratch, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
  const configured = await runOrchctl(
    [
      'auth',
      'oidc',
      '--url',
      nodeA.url,
      '--issuer',
      provider.issuer,
      '--client-id',
      CLIENT_ID,
      '--client-secret-file',
      path.join(scratch, 'client-secret'),
      '--scopes',
      'openid profile groups offline_access',
      '--label',
      'Sign in with the test provider',
      '--role',
      'orch-admins=admin',
      '--role',
      'orch-viewers=viewer',
    ],
    ROOT_CLI,
  );
  expect(configured.code, configured.stderr).toBe(0);
  expect(configured.stdout).toContain('secret stored');
  const recheck = await runOrchctl(['auth', 'local', '--url', nodeA.url, '--recheck-seconds', String(RECHECK_SECONDS)], ROOT_CLI);
  expect(recheck.code, recheck.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await provider?.stop();
  await stopAllNodes();
});

describe('OpenID Connect sign-in', () => {
  it("signs a user of the admins group in through the provider's login form on node A", async () => {
    const page = await freshPage();
    await signInThroughProvider(page, nodeA, 'olivia');
    await page.waitForURL((url) => url.origin === nodeA.url && url.pathname === '/cluster');
    const me = await page.request.get(`${nodeA.url}/api/me`);
    expect(await me.json()).toMatchObject({ name: 'olivia', role: 'admin' });
    const rows = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query("SELECT name, source, role::text, password_hash FROM app_user WHERE name = 'olivia'")).rows,
    );
    expect(rows).toEqual([{ name: 'olivia', source: 'oidc', role: 'admin', password_hash: null }]);
  });

  it("signs a user in on node B, with node B's own callback URL", async () => {
    const page = await freshPage();
    await signInThroughProvider(page, nodeB, 'vera');
    await page.waitForURL((url) => url.origin === nodeB.url && url.pathname === '/cluster');
    const me = await page.request.get(`${nodeB.url}/api/me`);
    expect(await me.json()).toMatchObject({ name: 'vera', role: 'viewer' });
    expect(provider.log()).not.toContain('redirect_uri did not match');
  });

  it('refuses a user whose groups map to no role, and says so', async () => {
    const page = await freshPage();
    await signInThroughProvider(page, nodeA, 'nora');
    await page.waitForURL((url) => url.origin === nodeA.url && url.pathname === '/login');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'none of the groups that grant access' }).count(), PAGE_DEADLINE)
      .toBe(1);
    expect((await page.request.get(`${nodeA.url}/api/me`)).status()).toBe(401);
  });

  it('never returns or shows the client secret', async () => {
    const response = await fetch(`${nodeB.url}/api/auth/config`, { headers: { authorization: ROOT } });
    const text = await response.text();
    expect(JSON.parse(text).oidc).toMatchObject({ issuer: provider.issuer, clientId: CLIENT_ID, hasClientSecret: true });
    expect(text).not.toContain(CLIENT_SECRET);
    const login = await (await fetch(`${nodeA.url}/login`)).text();
    expect(login).toContain('Sign in with the test provider');
    expect(login).not.toContain(CLIENT_SECRET);
    for (const node of [nodeA, nodeB]) expect(node.output()).not.toContain(CLIENT_SECRET);
  });

  it('the Authentication page shows the OpenID settings without the secret, and saving them keeps the stored secret', async () => {
    const page = await freshPage();
    await signInWithForm(page, nodeB.url, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    await page.goto(`${nodeB.url}/authentication`);
    await expect.poll(() => page.getByLabel('Issuer', { exact: true }).inputValue(), PAGE_DEADLINE).toBe(provider.issuer);
    const secret = page.getByLabel('Client secret', { exact: true });
    expect(await secret.inputValue()).toBe('');
    expect(await secret.getAttribute('placeholder')).toContain('stored');
    expect((await page.content()).includes(CLIENT_SECRET)).toBe(false);
    await page.getByLabel('Scopes', { exact: true }).fill('openid profile groups offline_access');
    await page.getByRole('button', { name: 'Save OpenID Connect settings' }).click();
    await expect.poll(() => page.getByText('Saved: every node uses it').count(), PAGE_DEADLINE).toBe(1);
    const view = (await (await fetch(`${nodeA.url}/api/auth/config`, { headers: { authorization: ROOT } })).json()) as {
      oidc: { hasClientSecret: boolean };
    };
    expect(view.oidc.hasClientSecret).toBe(true);
  });

  it("changing the user's groups at the provider demotes their session and API token within the re-check, without signing out", async () => {
    provider.setAccounts(ACCOUNTS);
    const page = await freshPage();
    await signInThroughProvider(page, nodeA, 'olivia');
    await page.waitForURL((url) => url.origin === nodeA.url && url.pathname === '/cluster');
    const roleOn = async (node: NodeProcess) => {
      const answer = await page.request.get(`${node.url}/api/me`);
      return answer.ok() ? ((await answer.json()) as { role: string }).role : answer.status();
    };
    expect(await roleOn(nodeB)).toBe('admin');
    const created = await page.request.post(`${nodeA.url}/api/tokens`, {
      data: { name: 'olivia-automation' },
      headers: { origin: nodeA.url },
    });
    expect(created.status(), await created.text()).toBe(201);
    const bearer = `Bearer ${((await created.json()) as { token: string }).token}`;
    const tokenRole = async (node: NodeProcess) => {
      const answer = await api<{ role: string }>(node, '/api/me', { auth: bearer });
      return answer.status === 200 ? answer.body.role : answer.status;
    };
    expect(await tokenRole(nodeB)).toBe('admin');

    // the refresh token is kept on the server, sealed
    const stored = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query<{ sealed: string | null }>("SELECT oidc_refresh_token AS sealed FROM app_user WHERE name = 'olivia'"))
          .rows[0]?.sealed,
    );
    expect(stored).toMatch(/^v1\./);

    provider.setAccounts({ ...ACCOUNTS, olivia: { groups: ['orch-viewers', 'staff'] } });
    await pollUntil(async () => (await roleOn(nodeB)) === 'viewer', { timeoutMs: 30_000, what: 'the session demoted to viewer' });
    await pollUntil(async () => (await tokenRole(nodeA)) === 'viewer', {
      timeoutMs: 30_000,
      what: 'the token demoted to viewer',
    });
    // the same browser session, never signed out, now acts as a viewer
    const refused = await page.request.put(`${nodeA.url}/api/auth/config`, {
      data: { version: 1, roleRecheckSeconds: RECHECK_SECONDS },
      headers: { origin: nodeA.url },
    });
    expect(refused.status()).toBe(403);

    // promoted back at the provider: the next re-check gives the role back, still without a sign-in
    provider.setAccounts(ACCOUNTS);
    await pollUntil(async () => (await roleOn(nodeA)) === 'admin', { timeoutMs: 30_000, what: 'the session promoted to admin' });

    // the account gone at the provider: the refresh is refused, and so are the session and the token
    const { olivia: _gone, ...withoutOlivia } = ACCOUNTS;
    provider.setAccounts(withoutOlivia);
    await pollUntil(async () => (await roleOn(nodeB)) === 401, { timeoutMs: 30_000, what: 'the session refused' });
    expect(await tokenRole(nodeA)).toBe(401);
    const cleared = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query(
            "SELECT oidc_refresh_token IS NULL AS cleared, refused_at IS NOT NULL AS refused FROM app_user WHERE name = 'olivia'",
          )
        ).rows[0],
    );
    expect(cleared).toEqual({ cleared: true, refused: true });

    // back at the provider: a new sign-in works again, with the role it grants
    provider.setAccounts(ACCOUNTS);
    const again = await freshPage();
    await signInThroughProvider(again, nodeA, 'olivia');
    await again.waitForURL((url) => url.origin === nodeA.url && url.pathname === '/cluster');
    expect(await (await again.request.get(`${nodeA.url}/api/me`)).json()).toMatchObject({ name: 'olivia', role: 'admin' });
  });

  it('while the provider hangs, the role read last stays in force; once it answers, the change applies', async () => {
    provider.setAccounts(ACCOUNTS);
    const page = await freshPage();
    await signInThroughProvider(page, nodeB, 'olivia');
    await page.waitForURL((url) => url.origin === nodeB.url && url.pathname === '/cluster');
    const role = async () => ((await (await page.request.get(`${nodeA.url}/api/me`)).json()) as { role?: string }).role;
    expect(await role()).toBe('admin');

    provider.pause();
    try {
      provider.setAccounts({ ...ACCOUNTS, olivia: { groups: ['orch-viewers'] } });
      await pollUntil(() => [nodeA, nodeB].some((node) => node.output().includes('could not re-check the groups of olivia')), {
        timeoutMs: 60_000,
        what: 'a node logging that the provider could not be asked',
      });
      await holdsFor(
        async () => (await role()) === 'admin',
        3 * RECHECK_SECONDS * 1000,
        'the admin role while the provider hangs',
        500,
      );
    } finally {
      provider.resume();
    }
    await pollUntil(async () => (await role()) === 'viewer', {
      timeoutMs: 60_000,
      what: 'the session demoted once the provider answers',
    });
    provider.setAccounts(ACCOUNTS);
  });

  it('never returns, shows or logs the refresh token, and stores it only sealed', async () => {
    // the token as the provider issued it, opened here with the session secret the nodes share
    const [row] = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ id: string; sealed: string; secret: string }>(
            `SELECT u.id::text AS id, u.oidc_refresh_token AS sealed, s.value AS secret
               FROM app_user u, shared_secret s WHERE u.name = 'olivia' AND s.name = 'auth'`,
          )
        ).rows,
    );
    expect(row?.sealed).toMatch(/^v1\./);
    const refreshToken = openRefreshToken(row!.secret, row!.id, row!.sealed);
    expect(refreshToken.length).toBeGreaterThan(20);
    expect(row!.sealed).not.toContain(refreshToken);

    for (const route of ['/api/me', '/api/users', '/api/auth/config', '/api/cluster/events?limit=1000', '/api/audit']) {
      const answer = await api(nodeA, route, { auth: ROOT });
      expect(answer.status, route).toBe(200);
      expect(answer.text.includes(refreshToken), route).toBe(false);
      expect(answer.text.includes(row!.sealed), route).toBe(false);
    }
    const page = await freshPage();
    await signInWithForm(page, nodeA.url, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    await page.goto(`${nodeA.url}/users`);
    await expect.poll(() => page.getByRole('cell', { name: 'olivia', exact: true }).count(), PAGE_DEADLINE).toBe(1);
    expect((await page.content()).includes(refreshToken)).toBe(false);
    for (const node of [nodeA, nodeB]) expect(node.output().includes(refreshToken)).toBe(false);
  });

  it("switching OpenID Connect off ends its users' sessions and removes the button", async () => {
    const page = await freshPage();
    await signInThroughProvider(page, nodeA, 'olivia');
    await page.waitForURL((url) => url.origin === nodeA.url && url.pathname === '/cluster');
    expect((await page.request.get(`${nodeB.url}/api/me`)).status()).toBe(200);
    const off = await runOrchctl(['auth', 'oidc', '--url', nodeB.url, '--disable'], ROOT_CLI);
    expect(off.code, off.stderr).toBe(0);
    expect((await page.request.get(`${nodeB.url}/api/me`)).status()).toBe(401);
    expect(await (await fetch(`${nodeA.url}/login`)).text()).not.toContain('Sign in with the test provider');
  });
});
