/**
 * Real Chromium through Debian's nginx running the shipped configuration (TLS ending in nginx)
 * in front of a real node that trusts it as the configuration's header says: the console signs
 * in over HTTPS with a Secure session cookie and HSTS, stays on the proxy's https:// origin, and
 * its writes pass the Origin check; plain HTTP to the proxy is sent to HTTPS.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { startShippedNginx, trustedProxiesFromConfig, type TRunningNginx } from '../helpers/nginx';
import { ROOT_PASSWORD, startNode, stopAllNodes } from '../helpers/node-process';

// Strict-Transport-Security with a lifetime browsers keep
const HSTS = /^max-age=[1-9]\d{5,}$/;
let databaseUrl: string;
let nginx: TRunningNginx;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const [node, launched] = await Promise.all([
    startNode({ databaseUrl, env: { ORCH_TRUSTED_PROXIES: trustedProxiesFromConfig() } }),
    launchBrowser(),
  ]);
  browser = launched;
  nginx = await startShippedNginx([node.port]);
  // the test's certificate is self-signed: Chromium is told to accept it (it then ignores HSTS, which the test reads itself)
  context = await browser.newContext({ ignoreHTTPSErrors: true });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  nginx?.stop();
  await stopAllNodes();
});

const userNames = () =>
  withClient(databaseUrl, async (c) => (await c.query('SELECT name FROM app_user ORDER BY name')).rows.map((r) => r.name));

describe('the console through nginx over HTTPS', () => {
  it('plain HTTP to the proxy lands on its HTTPS sign-in page', async () => {
    const plain = new URL(nginx.plainBase);
    const secure = new URL(nginx.base);
    // nginx redirects to port 443 of the same name; the test's nginx listens elsewhere, so follow by hand
    const response = await page.request.get(`${nginx.plainBase}/cluster`, { maxRedirects: 0 });
    expect(response.status()).toBe(308);
    expect(response.headers().location).toBe(`https://${plain.hostname}/cluster`);
    expect(response.headers()['strict-transport-security']).toBeUndefined();
    const landed = await page.goto(`${secure.origin}/cluster`);
    await page.waitForURL(/\/login/);
    expect(new URL(page.url()).origin).toBe(secure.origin);
    expect(landed?.headers()['strict-transport-security']).toMatch(HSTS);
  });

  it('signs in with a Secure session cookie and HSTS, and creates a user from the https:// page', async () => {
    await signInWithForm(page, nginx.base, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    expect(new URL(page.url()).origin).toBe(nginx.base);
    const session = (await context.cookies()).find((cookie) => cookie.name === 'next-auth.session-token');
    expect(session, 'a session cookie').toBeDefined();
    expect(session!.secure).toBe(true);

    const usersPage = await page.goto(`${nginx.base}/users`);
    expect(usersPage?.headers()['strict-transport-security']).toMatch(HSTS);
    await page.getByLabel('Name', { exact: true }).fill('proxied-viewer');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByLabel('Password', { exact: true }).fill('viewer-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'proxied-viewer', exact: true }).count(), { timeout: 15_000 }).toBe(1);
    expect(await userNames()).toContain('proxied-viewer');
  });
});
