/**
 * Real Chromium against a real node: sign-in, users, roles, sign-out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

let node: NodeProcess;
let databaseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
// another site on this machine: a hostile return path would send the browser here
let evil: http.Server;
let evilOrigin: string;
const evilVisits: string[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  evil = http.createServer((req, res) => {
    evilVisits.push(req.url ?? '');
    res.end('evil');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilOrigin = `127.0.0.1:${(evil.address() as AddressInfo).port}`;
  [node, browser] = await Promise.all([startNode({ databaseUrl }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  evil?.close();
  await stopAllNodes();
});

async function freshPage(): Promise<Page> {
  await context?.close();
  context = await browser.newContext();
  page = await context.newPage();
  return page;
}

const userNames = () =>
  withClient(databaseUrl, async (c) => (await c.query('SELECT name FROM app_user ORDER BY name')).rows.map((r) => r.name));

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page', async () => {
    await freshPage();
    await page.goto(`${node.url}/users`);
    await page.waitForURL(/\/login/);
    expect(new URL(page.url()).searchParams.get('callbackUrl')).toContain('/users');
  });

  it('refuses a wrong password with a message', async () => {
    await freshPage();
    await signInWithForm(page, node.url, 'root', 'not-the-password');
    // (Next.js's route announcer is an alert too: look for ours by its text)
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('signs root in and shows the console with the user and role', async () => {
    await freshPage();
    await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const link of ['Cluster', 'Configuration', 'Workflows', 'Logs', 'Users']) {
      expect(await nav.getByRole('link', { name: link }).count()).toBe(1);
    }
    await expect.poll(() => page.locator('body').textContent()).toContain('admin');
  });
});

describe('hostile return paths after signing in (open redirect)', () => {
  it('keeps the browser on the node whatever callbackUrl the sign-in link carries', async () => {
    const hostile = [
      `/.//${evilOrigin}/x`,
      `//${evilOrigin}/x`,
      `/\\${evilOrigin}/x`,
      `/./\\${evilOrigin}/x`,
      `http://${evilOrigin}/x`,
      `/%2F%2F${evilOrigin}/x`,
      `/\t/${evilOrigin}/x`,
      `${node.url}@${evilOrigin}/x`,
    ];
    for (const target of hostile) {
      await freshPage();
      await page.goto(`${node.url}/login?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel('User name').fill('root');
      await page.getByLabel('Password').fill(ROOT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname !== '/login' || url.origin !== node.url);
      await page.waitForLoadState('load');
      expect(new URL(page.url()).origin, target).toBe(node.url);
    }
    expect(evilVisits).toEqual([]);
  });

  it('still returns to a page of the node', async () => {
    await freshPage();
    await page.goto(`${node.url}/login?callbackUrl=${encodeURIComponent('/account')}`);
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Password').fill(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${node.url}/account`);
  });
});

describe('an administrator', () => {
  it('creates a user and deletes one', async () => {
    await page.goto(`${node.url}/users`);
    await page.getByLabel('Name', { exact: true }).fill('victor');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByLabel('Password', { exact: true }).fill('viewer-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    // (on two busy cores the list can take longer than expect.poll's default second to refresh)
    await expect.poll(() => page.getByRole('cell', { name: 'victor', exact: true }).count(), { timeout: 15_000 }).toBe(1);
    expect(await userNames()).toContain('victor');

    await page.getByLabel('Name', { exact: true }).fill('temporary');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByLabel('Password', { exact: true }).fill('temporary-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'temporary', exact: true }) });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await userNames()).not.toContain('temporary');
  });
});

describe('a viewer', () => {
  it('sees no user-management controls, and the API refuses their change', async () => {
    await freshPage();
    await signInWithForm(page, node.url, 'victor', 'viewer-password');
    await page.waitForURL(/\/cluster/);
    await page.goto(`${node.url}/users`);
    await expect.poll(() => page.getByRole('cell', { name: 'root', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Create user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await page.getByRole('combobox').count()).toBe(0);

    // the same request the admin's form sends, from the viewer's signed-in page
    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sneaky', role: 'admin', password: 'sneaky-password' }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/admin role/);
    expect(await userNames()).not.toContain('sneaky');
  });

  it('signs out, and is sent to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${node.url}/users`);
    await page.waitForURL(/\/login/);
  });
});

describe('the account page', () => {
  it('creates a token that expires, and "Sign out everywhere" ends every browser\'s session', async () => {
    const other = await browser.newContext();
    try {
      const elsewhere = await other.newPage();
      await signInWithForm(elsewhere, node.url, 'victor', 'viewer-password');
      await elsewhere.waitForURL(/\/cluster/);

      await freshPage();
      await signInWithForm(page, node.url, 'victor', 'viewer-password');
      await page.waitForURL(/\/cluster/);
      await page.goto(`${node.url}/account`);
      await page.getByLabel('Token name').fill('nightly');
      await page.getByLabel('Expires after').selectOption({ label: '30 days' });
      await page.getByRole('button', { name: 'Create token' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'nightly', exact: true }) });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.getByRole('cell').nth(4).textContent()).not.toBe('never');
      const expires = await withClient(
        databaseUrl,
        async (c) => (await c.query(`SELECT expires_at FROM api_token WHERE name = 'nightly'`)).rows[0].expires_at as Date,
      );
      expect(Math.abs(expires.getTime() - (Date.now() + 30 * 24 * 3600_000))).toBeLessThan(120_000);

      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('button', { name: 'End all sessions' }).click();
      await page.waitForURL(/\/login/);
      await page.goto(`${node.url}/account`);
      await page.waitForURL(/\/login/);
      // the other browser's session ended too
      await elsewhere.goto(`${node.url}/cluster`);
      await elsewhere.waitForURL(/\/login/);
    } finally {
      await other.close();
    }
  });
});

describe('an administrator resetting a password', () => {
  it("ends the user's sessions and, when asked, revokes their API tokens", async () => {
    const victim = await browser.newContext();
    try {
      const victimPage = await victim.newPage();
      await signInWithForm(victimPage, node.url, 'victor', 'viewer-password');
      await victimPage.waitForURL(/\/cluster/);

      const liveTokens = () =>
        withClient(
          databaseUrl,
          async (c) =>
            (
              await c.query(
                `SELECT count(*)::int AS n FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE u.name = 'victor' AND t.revoked_at IS NULL`,
              )
            ).rows[0].n as number,
        );
      // victor's token from the account page test
      expect(await liveTokens()).toBeGreaterThan(0);

      await freshPage();
      await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
      await page.waitForURL(/\/cluster/);
      await page.goto(`${node.url}/users`);
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'victor', exact: true }) });
      await row.getByRole('button', { name: 'Reset password' }).click();
      const form = page.getByRole('form', { name: 'Reset password for victor' });
      await form.getByLabel('New password for victor').fill('reset-by-admin-1');
      await form.getByLabel("Also revoke victor's API tokens").check();
      await form.getByRole('button', { name: 'Set password' }).click();

      await expect.poll(liveTokens, { timeout: 15_000 }).toBe(0);
      // victor's open browser is sent to sign in at its next page
      await victimPage.goto(`${node.url}/cluster`);
      await victimPage.waitForURL(/\/login/);
    } finally {
      await victim.close();
    }
  });
});
