/**
 * Real Chromium against a real node: an administrator adds a webhook target, sends a test, and
 * reads its result in the delivery log; the secret is not on the page after saving. Saves a
 * screenshot to ORCH_SCREENSHOT_DIR when set.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@/lib/node/ports';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { startWebhookReceiver } from '../helpers/receivers';

const SECRET = 'page-secret-abcdef-0123456789';
let node: NodeProcess;
let browser: Browser;
let page: Page;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  webhook = await startWebhookReceiver(SECRET);
  const databaseUrl = await createTestDatabase();
  [node, browser] = await Promise.all([startNode({ databaseUrl }), launchBrowser()]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1100 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
  await webhook?.close();
});

describe('notifications page', () => {
  it('adds a webhook target, sends a test and shows its delivery; the secret is never shown again', async () => {
    await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL(/\/notifications/);
    await page.getByText('No targets yet').waitFor();

    // bad input: the field says what is wrong, nothing is saved
    await page.getByLabel('Name').fill('pager');
    await page.getByLabel('URL').fill('not a url');
    await page.getByRole('button', { name: 'Add target' }).click();
    await page.getByText('url must be an http:// or https:// URL').first().waitFor();
    expect(await page.getByText('No targets yet').count()).toBe(1);

    await page.getByLabel('URL').fill(`${webhook.url}/ok`);
    await page.getByLabel('Signing secret').fill(SECRET);
    await page.getByRole('button', { name: 'Add target' }).click();
    const row = page.getByRole('row').filter({ hasText: 'pager' });
    await row.waitFor();
    expect(await row.textContent()).toContain('set (hidden)');
    expect(await page.content()).not.toContain(SECRET);

    await row.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('status').filter({ hasText: 'queued for pager' }).waitFor();
    const hook = await pollUntil(() => webhook.received.find((received) => received.body.kind === 'TEST'), {
      what: 'the test webhook',
    });
    expect(hook.signatureValid).toBe(true);
    const logged = page.locator(`tr[data-delivery="${hook.body.id}"]`);
    await logged.getByText('delivered').waitFor({ timeout: 15_000 });
    expect(await logged.textContent()).toContain('HTTP 204');

    // a failing target shows its failed attempts
    await page.getByLabel('Name').fill('broken');
    await page.getByLabel('URL').fill(`http://127.0.0.1:${await findFreePort()}/nowhere`);
    await page.getByRole('button', { name: 'Add target' }).click();
    await page.getByRole('row').filter({ hasText: 'broken' }).getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('row').filter({ hasText: 'ECONNREFUSED' }).first().waitFor({ timeout: 15_000 });

    await page.reload();
    await page.getByRole('row').filter({ hasText: 'ECONNREFUSED' }).first().waitFor();
    expect(await page.content()).not.toContain(SECRET);
    if (process.env.ORCH_SCREENSHOT_DIR)
      await page.screenshot({ path: path.join(process.env.ORCH_SCREENSHOT_DIR, 'notifications.png'), fullPage: true });
  });
});
