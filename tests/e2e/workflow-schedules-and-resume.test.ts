/**
 * The Workflows page's Schedules section and the run page's Resume form, in a real Chromium on a
 * real node: an operator resumes a paused schedule and sees its next fire times and its last
 * firing (node, epoch); a run that failed and waits is resumed with an edited variable, and
 * completes.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScheduleView } from '@/lib/workflow/schedules';
import { activeNodes, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { ROOT_PASSWORD, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { api, importDefinition, startRun, waitForStatus } from '../helpers/workflows';

const SHOTS = '/tmp/shots';
const FRAGILE = {
  name: 'Fragile',
  onFailure: 'wait',
  elements: [
    { id: 'first', type: 'log', target: 'server', message: '"first ran"' },
    { id: 'needs', type: 'set', variable: 'result', expression: 'token + "!"' },
  ],
};

let databaseUrl: string;
let node: NodeProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  [[node], browser] = await Promise.all([startNodes(databaseUrl, 1), launchBrowser()]);
  await pollUntil(async () => (await activeNodes([node])).length === 1, { what: 'an active node' });
  await importDefinition(node, FRAGILE);
  page = await openSignedIn(browser, node.url, { password: ROOT_PASSWORD, viewport: { width: 1400, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

describe('schedules and resume in the console', () => {
  it('resumes a paused schedule from the Workflows page and shows its next fire times and last firing', async () => {
    const { status, body } = await api<TScheduleView>(node, '/api/schedules', {
      method: 'POST',
      body: { workflow: 'Fragile', cron: '*/2 * * * * *', timeZone: 'Europe/Berlin', overlap: 'allow', paused: true },
    });
    expect(status).toBe(201);
    await page.goto(`${node.url}/workflows`);
    const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row').filter({ hasText: 'Fragile' });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('paused');
    expect(await row.textContent()).toContain('*/2 * * * * * (Europe/Berlin)');
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row.getByRole('button', { name: 'Pause' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/on n1, epoch \d+/);
    await page.screenshot({ path: `${SHOTS}/workflows-schedules.png`, fullPage: true });
    await row.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(async () => (await api<TScheduleView>(node, `/api/schedules/${body.id}`)).body.paused, { timeout: 15_000 })
      .toBe(true);
  });

  it('resumes a waiting run from its page with an edited variable', async () => {
    const runId = await startRun(node, 'Fragile');
    await waitForStatus(databaseUrl, [runId], 'WAITING');
    await page.goto(`${node.url}/workflows/runs/${runId}`);
    const form = page.getByRole('region', { name: /Waiting for an operator at element needs/ });
    await form.getByLabel('Variables to set').fill('{"token": "abc"}');
    await page.screenshot({ path: `${SHOTS}/run-waiting.png`, fullPage: true });
    await form.getByRole('button', { name: 'Resume run' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toContain('COMPLETED');
    await waitForStatus(databaseUrl, [runId], 'COMPLETED');
  });
});
