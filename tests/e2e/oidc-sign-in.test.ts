/**
 * Sign-in through a real OpenID provider: the npm `oidc-provider` package run by this test as its
 * own process on loopback, with a test client registered for both nodes' callback URLs and a
 * groups claim. Real Chromium goes through the provider's login form (authorization code with
 * PKCE) on node A and on node B; a user whose groups map to nothing is refused with the reason.
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
import { ROOT, seedCluster, startNodes } from '../helpers/cluster';
import { OidcProvider } from '../helpers/oidc-provider';
import { OIDC_CALLBACK_PATH } from '@/lib/auth/directory/auth-config';

const CLIENT_ID = 'orchestrator';
const CLIENT_SECRET = 'oidc-client-secret-for-tests-5d2a9e';
const ROOT_CLI = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
/** a page shows its data once its request answers: slow on a busy machine */
const PAGE_DEADLINE = { timeout: 30_000, interval: 200 };

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
  [[nodeA, nodeB], browser] = await Promise.all([startNodes(databaseUrl, 2), launchBrowser()]);
  provider = await OidcProvider.start({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [nodeA, nodeB].map((node) => `${node.url}${OIDC_CALLBACK_PATH}`),
    accounts: { olivia: { groups: ['orch-admins', 'staff'] }, vera: { groups: ['orch-viewers'] }, nora: { groups: ['staff'] } },
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
      'openid profile groups',
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
    await page.getByLabel('Scopes', { exact: true }).fill('openid profile groups');
    await page.getByRole('button', { name: 'Save OpenID Connect settings' }).click();
    await expect.poll(() => page.getByText('Saved: every node uses it').count(), PAGE_DEADLINE).toBe(1);
    const view = (await (await fetch(`${nodeA.url}/api/auth/config`, { headers: { authorization: ROOT } })).json()) as {
      oidc: { hasClientSecret: boolean };
    };
    expect(view.oidc.hasClientSecret).toBe(true);
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
