/**
 * The Database page in a real Chromium against a real node: everyone sees the facts of the
 * database in use (never its password); an administrator tests connection strings and sees one
 * row per check, passed or failed with the reason.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

let node: NodeProcess;
let browser: Browser;
let nodeDatabaseUrl: string;
let emptyDatabaseUrl: string;
const contexts: BrowserContext[] = [];

async function openDatabasePage(): Promise<Page> {
  const page = await openSignedIn(browser, node.url, { password: ROOT_PASSWORD, contexts });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Database' }).click();
  await page.waitForURL(/\/database$/);
  return page;
}

beforeAll(async () => {
  nodeDatabaseUrl = await createTestDatabase();
  emptyDatabaseUrl = await createTestDatabase({ migrated: false });
  [node, browser] = await Promise.all([startNode({ databaseUrl: nodeDatabaseUrl, name: 'alpha' }), launchBrowser()]);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await stopAllNodes();
});

describe('the Database page', () => {
  it('shows the facts of the database in use and, as admin, tests connection strings with a result per check', async () => {
    const page = await openDatabasePage();
    const facts = page.getByRole('definition');
    const url = new URL(nodeDatabaseUrl);
    await expect.poll(() => page.getByLabel('Database facts').textContent(), { timeout: 30_000 }).toContain('Connected to');
    const text = (await page.getByLabel('Database facts').textContent()) ?? '';
    expect(text).toContain(`${url.hostname}:${url.port}`);
    expect(text).toContain(decodeURIComponent(url.pathname.slice(1)));
    expect(text).toMatch(/PostgreSQL \d+/);
    expect(text).toContain('primary');
    // the identity the heartbeats compare to detect a failover
    expect(text).toMatch(/timeline \d+ · 0 failover\(s\) seen/);
    expect(await facts.count()).toBeGreaterThan(6);
    const body = (await page.content()) ?? '';
    expect(body).not.toContain(decodeURIComponent(url.password));

    const form = page.getByRole('form', { name: 'Test a connection string' });
    await form.getByLabel('Connection string').fill(emptyDatabaseUrl);
    await form.getByRole('button', { name: 'Run the checks' }).click();
    const results = page.getByRole('table', { name: 'Check results' });
    await results.waitFor({ timeout: 30_000 });
    for (const name of ['url', 'reachable', 'writable', 'version', 'create-tables', 'empty-or-ours', 'max-connections', 'tls']) {
      await expect.poll(() => results.locator(`tr[data-check="${name}"]`).textContent()).toContain('passed');
    }
    await page.getByText('every check passed').waitFor();

    const wrong = new URL(emptyDatabaseUrl);
    wrong.password = 'not-the-password';
    await form.getByLabel('Connection string').fill(wrong.toString());
    await form.getByRole('button', { name: 'Run the checks' }).click();
    await expect
      .poll(() => results.locator('tr[data-check="reachable"]').textContent(), { timeout: 30_000 })
      .toContain('wrong password');
    await page.getByText('some checks failed').waitFor();

    await form.getByLabel('Connection string').fill('postgresql://user@db1:54x2/orch');
    await form.getByRole('button', { name: 'Run the checks' }).click();
    await page.getByText('database URL: the port of host "db1:54x2" is not a number').waitFor({ timeout: 30_000 });
    expect(await page.content()).not.toContain(decodeURIComponent(url.password));
  });
});
