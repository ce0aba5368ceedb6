/**
 * Real Chromium against a real node: sign-in, users, roles, sign-out.
 */
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

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  [node, browser] = await Promise.all([startNode({ databaseUrl }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

async function freshPage(): Promise<Page> {
  await context?.close();
  context = await browser.newContext();
  page = await context.newPage();
  return page;
}

const userNames = () => withClient(databaseUrl, async (c) => (await c.query('SELECT name FROM app_user ORDER BY name')).rows.map((r) => r.name));

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
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).count()).toBe(1);
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

describe('an administrator', () => {
  it('creates a user and deletes one', async () => {
    await page.goto(`${node.url}/users`);
    await page.getByLabel('Name', { exact: true }).fill('victor');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByLabel('Password', { exact: true }).fill('viewer-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'victor', exact: true }).count()).toBe(1);
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
