/**
 * *Use this database* on the Database page, in a real Chromium against a real standalone node
 * (on its built-in database) and a real PostgreSQL: a wrong password is refused on the form and
 * nothing changes; a good database with "copy" takes the node there, the page follows its
 * restart, the same session goes on (its users came along), and the page shows the external
 * database, never its password.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

let node: NodeProcess;
let browser: Browser;
let targetUrl: string;

beforeAll(async () => {
  targetUrl = await createTestDatabase({ migrated: false });
  [node, browser] = await Promise.all([startNode({ name: 'solo' }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

async function openDatabasePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
  await page.waitForURL(/\/cluster/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Database' }).click();
  await page.waitForURL(/\/database$/);
  return page;
}

describe('Use this database on the Database page', () => {
  it('refuses a wrong password, then switches the node with its data and follows the restart', async () => {
    const page = await openDatabasePage();
    const password = decodeURIComponent(new URL(targetUrl).password);
    await expect.poll(() => page.getByLabel('Database facts').textContent(), { timeout: 30_000 }).toContain('built-in');
    const form = page.getByRole('form', { name: 'Use this database' });
    await expect.poll(() => form.getByRole('checkbox').isChecked()).toBe(true);

    const wrong = new URL(targetUrl);
    wrong.password = 'not-the-password';
    await form.getByLabel('Connection string of the new database').fill(wrong.toString());
    await form.getByRole('button', { name: 'Use this database' }).click();
    await form.getByText(/reachable check failed: .*wrong password/).waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Database facts').textContent()).toContain('built-in');

    await form.getByLabel('Connection string of the new database').fill(targetUrl);
    await form.getByRole('button', { name: 'Use this database' }).click();
    await page.getByText(/The node restarts to switch to postgresql:\/\/.*:\*\*\*@/).waitFor({ timeout: 30_000 });
    // the page follows the restart; the session goes on, since the users came along
    await page
      .getByText(/Use this database: this node uses .* now .*rows in \d+ tables copied, every count verified/)
      .waitFor({ timeout: 240_000 });
    await expect.poll(() => page.getByLabel('Database facts').textContent(), { timeout: 30_000 }).toContain('external');
    const url = new URL(targetUrl);
    expect(await page.getByLabel('Database facts').textContent()).toContain(`${url.hostname}:${url.port}`);
    // on an external database the page offers Move instead
    await page.getByRole('form', { name: 'Move the whole cluster' }).waitFor();
    expect(await page.getByRole('form', { name: 'Use this database' }).count()).toBe(0);
    expect(await page.content()).not.toContain(password);
  });
});
