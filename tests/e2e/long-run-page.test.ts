/**
 * The run page of a long run, in a real Chromium on a real node: a run that executed thousands of
 * elements and logged more lines than the page holds shows where it ended (its last log line,
 * its last element at the top of the timeline) and says that earlier events and lines are left out.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_PAGE_EVENTS, RUN_PAGE_LOG_LINES } from '@/lib/workflow/limits';
import { activeNodes, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { ROOT_PASSWORD, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { getRun, importDefinition, startRun, waitForStatus } from '../helpers/workflows';

/** more log lines than the page shows, and three elements a line: more events than it shows too */
const LINES = RUN_PAGE_LOG_LINES + 100;
const LONG = {
  name: 'Long',
  inputs: [{ name: 'lines', type: 'number', default: LINES }],
  elements: [
    { id: 'start', type: 'set', variable: 'n', expression: '1' },
    { id: 'line', type: 'log', target: 'server', message: "'line ' + n" },
    { id: 'increment', type: 'set', variable: 'n', expression: 'n + 1' },
    { id: 'more', type: 'decision', condition: 'n <= lines', then: 'line', else: 'finish' },
    { id: 'finish', type: 'end' },
  ],
};

let databaseUrl: string;
let node: NodeProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  [[node], browser] = await Promise.all([startNodes(databaseUrl, 1), launchBrowser()]);
  await pollUntil(async () => (await activeNodes([node])).length === 1, { what: 'an active node' });
  await importDefinition(node, LONG);
  page = await openSignedIn(browser, node.url, { password: ROOT_PASSWORD, viewport: { width: 1400, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

describe('the run page of a long run', () => {
  it('shows its last log line and last element, and says what it leaves out', { timeout: 240_000 }, async () => {
    const id = await startRun(node, 'Long');
    await waitForStatus(databaseUrl, [id], 'COMPLETED', 180_000);
    const run = await getRun(node, id);
    expect(run.events).toHaveLength(RUN_PAGE_EVENTS);
    expect(run.earlierEvents).toBeGreaterThan(3 * LINES - RUN_PAGE_EVENTS);

    await page.goto(`${node.url}/workflows/runs/${id}`);
    const serverLog = page.getByRole('list', { name: 'Server log' });
    // newest first: the run's last line leads the list, its first lines are not on the page
    await expect
      .poll(() => serverLog.getByRole('listitem').first().textContent(), { timeout: 30_000 })
      .toContain(`line ${LINES}`);
    expect(await serverLog.getByRole('listitem').count()).toBe(RUN_PAGE_LOG_LINES);
    expect(await serverLog.getByText('line 1', { exact: true }).count()).toBe(0);
    await expect
      .poll(() => page.getByText(`The latest ${RUN_PAGE_LOG_LINES.toLocaleString('en')} lines are shown`).count())
      .toBe(1);
    await expect
      .poll(() =>
        page
          .getByText(
            `The latest ${RUN_PAGE_EVENTS.toLocaleString('en')} events are shown; ${run.earlierEvents.toLocaleString('en')} earlier ones are not.`,
          )
          .count(),
      )
      .toBe(1);
    // the timeline, newest first, starts at the run's end: its last element near the top, its first one not shown
    const timeline = page.getByRole('table', { name: 'Timeline' });
    const newest = await Promise.all([0, 1, 2].map((index) => timeline.locator('tbody tr').nth(index).textContent()));
    expect(newest.join(' | ')).toContain('finish');
    expect(await timeline.getByText('start', { exact: true }).count()).toBe(0);
  });
});
