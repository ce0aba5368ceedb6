/**
 * The reference scenario in a real Chromium against two real nodes at 1 s × 3: an operator starts
 * Cluster Test from the Workflows page of the active node, watches it count on the run page, the
 * node is killed (kill -9 of its whole process group), and the run page on the other node shows
 * the run taken over and completed; the run's JSON and the survivor's system log say the same.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSystemLogView } from '@/lib/workflow/read-system-log';
import type { TImportResult, TRunEventView, TRunSummary, TWorkflowSummary } from '@/lib/workflow/views';
import { seedCluster, startNodesTogether, theActiveNode as theActiveNodeOf } from '../helpers/cluster';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { ROOT_PASSWORD, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { api, getRun, nodeIdOf, systemCounts } from '../helpers/workflows';

const SHOTS = '/tmp/shots';
const COUNT = 8;

let nodes: NodeProcess[];
let browser: Browser;
const contexts: BrowserContext[] = [];

const signedIn = (node: NodeProcess, user = 'root', password = ROOT_PASSWORD): Promise<Page> =>
  openSignedIn(browser, node.url, { user, password, contexts });

const theActiveNode = () => theActiveNodeOf(nodes);

/** The N of "count N", or undefined for any other message. */
function countOf(message: string | null): number | undefined {
  const match = /^count (\d+)$/.exec(message ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Each count's executions of one element: every count once, except at most one that ran again as attempt 2. */
function expectEachCountOnce(events: TRunEventView[], elementId: string): void {
  const perCount = new Map<number, number[]>();
  for (const event of events.filter((e) => e.kind === 'ELEMENT' && e.elementId === elementId)) {
    const n = countOf(event.message)!;
    perCount.set(n, [...(perCount.get(n) ?? []), event.attempt ?? 1]);
  }
  expect(
    [...perCount.keys()].sort((a, b) => a - b),
    elementId,
  ).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  const repeated = [...perCount.values()].filter((attempts) => attempts.length > 1);
  expect(repeated.length, `${elementId}: counts that ran twice`).toBeLessThanOrEqual(1);
  for (const attempts of repeated) expect(attempts).toEqual([1, 2]);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  [nodes, browser] = await Promise.all([startNodesTogether(databaseUrl, 2), launchBrowser()]);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await stopAllNodes();
});

describe('a Cluster Test run started in the browser', () => {
  it('goes on from its checkpoint on the other node after kill -9 of its node, and the pages show it', async () => {
    const first = await theActiveNode();
    const survivor = nodes.find((node) => node !== first)!;
    const survivorName = nodes.indexOf(survivor) === 0 ? 'n1' : 'n2';
    // the active node's runner puts the bundled workflow in the database when it starts
    await pollUntil(
      async () => (await api<TWorkflowSummary[]>(first, '/api/workflows')).body.some((w) => w.name === 'Cluster Test'),
      {
        what: 'the Cluster Test workflow',
      },
    );

    // start it from the Workflows page of the active node, with count = 8
    const page = await signedIn(first);
    await page.goto(`${first.url}/workflows`);
    const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row').filter({ hasText: 'Cluster Test' });
    await row.getByRole('button', { name: 'Start', exact: true }).click();
    const form = page.getByRole('form', { name: 'Start Cluster Test' });
    const count = form.getByLabel('count', { exact: true });
    expect(await count.inputValue()).toBe('60'); // the input's default
    await count.fill(String(COUNT));
    await form.getByRole('button', { name: 'Start run' }).click();
    const open = form.getByRole('link', { name: /^Open run / });
    await expect.poll(() => open.count()).toBe(1);
    const shortId = ((await open.textContent()) ?? '').replace('Open run ', '');
    const runRow = page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ hasText: shortId });
    await expect.poll(() => runRow.count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/workflows-page.png`, fullPage: true });
    await open.click();
    await page.waitForURL(/\/workflows\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').at(-1)!;

    // the run page follows the run: wait for "count 3" in its server log, then kill the node running it
    const serverLog = page.getByRole('list', { name: 'Server log' });
    await expect.poll(() => serverLog.getByText('count 3', { exact: true }).count(), { timeout: 30_000, interval: 100 }).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('RUNNING');
    await page.screenshot({ path: `${SHOTS}/run-page-before-kill.png`, fullPage: true });
    first.killGroup('SIGKILL');
    await first.exited;

    // on the other node the same run page shows the takeover and the end
    const other = await signedIn(survivor);
    await other.goto(`${survivor.url}/workflows/runs/${runId}`);
    const heading = other.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 45_000, interval: 200 }).toContain('COMPLETED');
    const resumptions = other.getByRole('region', { name: 'Resumptions' });
    await expect
      .poll(() => resumptions.textContent())
      .toMatch(new RegExp(`resumed by node ${survivorName} at element [\\w-]+, attempt 2, epoch \\d+`));
    await expect
      .poll(() => other.getByRole('list', { name: 'Server log' }).getByText(`count ${COUNT}`, { exact: true }).count())
      .toBe(1);
    const timeline = other.getByRole('table', { name: 'Timeline' });
    expect(await timeline.getByText(/^resumed by node /).count()).toBe(1);
    expect(await timeline.getByText('interrupted', { exact: true }).count()).toBe(1); // the element its node was running when killed
    await other.screenshot({ path: `${SHOTS}/run-page-completed.png`, fullPage: true });
    await timeline.getByText(/^resumed by node /).scrollIntoViewIfNeeded();
    await timeline.locator('xpath=..').screenshot({ path: `${SHOTS}/run-timeline-takeover.png` });

    // the run's JSON: every count once except at most the interrupted one, as attempt 2; the resumption names the survivor
    const run = await getRun(survivor, runId);
    expect(run.status).toBe('COMPLETED');
    expectEachCountOnce(run.events, 'server-log');
    expectEachCountOnce(run.events, 'system-log');
    const resumed = run.events.filter((event) => event.kind === 'RESUMED');
    expect(resumed).toHaveLength(1);
    expect(resumed[0].nodeId).toBe(nodeIdOf(survivor));
    expect(resumed[0].nodeName).toBe(survivorName);
    expect(resumed[0].message).toMatch(
      new RegExp(`^resumed by node ${survivorName} at element [\\w-]+, attempt 2, epoch ${resumed[0].epoch}$`),
    );

    // the survivor's system log holds exactly the counts its node wrote after the takeover
    const countsAfterTakeover = run.events
      .filter((event) => event.kind === 'ELEMENT' && event.elementId === 'system-log' && event.id > resumed[0].id)
      .map((event) => countOf(event.message)!);
    expect(countsAfterTakeover.at(-1)).toBe(COUNT);
    const { body: survivorLog } = await api<TSystemLogView>(survivor, '/api/logs/system?lines=5000');
    const survivorCounts = survivorLog.lines.filter((line) => line.runId === runId).map((line) => countOf(line.message));
    expect(survivorCounts).toEqual(countsAfterTakeover);
    expect(survivorCounts).not.toContain(1);
    // the dead node's file holds the rest
    expect(new Set([...systemCounts(first, runId), ...survivorCounts]).size).toBe(COUNT);

    // and the survivor's Logs page shows its own lines only: the last count, not the first ones
    await other.goto(`${survivor.url}/logs`);
    const systemLog = other.getByRole('table', { name: 'System log' });
    await expect.poll(() => systemLog.getByText(`count ${COUNT}`, { exact: true }).count()).toBe(1);
    expect(await systemLog.getByText('count 1', { exact: true }).count()).toBe(0);
    // each node keeps its own file; the page says so and offers the other members' logs
    expect(await other.getByText(/The system log is local to each node/).count()).toBe(1);
    await other.screenshot({ path: `${SHOTS}/logs-page.png`, fullPage: true });
  });
});

/** The node still running after the failover test (or either one when that test did not kill one). */
function aliveNode(): NodeProcess {
  return nodes.find((node) => node.child.exitCode === null && node.child.signalCode === null)!;
}

const HELLO = {
  name: 'Hello',
  description: 'Says hello after a short nap.',
  inputs: [{ name: 'who', type: 'string', default: 'world' }],
  elements: [
    { id: 'nap', type: 'sleep', seconds: 0.2 },
    { id: 'greet', type: 'log', target: 'server', level: 'info', message: "'hello ' + who" },
  ],
};

describe('the Workflows page', () => {
  it("refuses an invalid definition with the API's words and changes nothing; imports, exports and starts a valid one", async () => {
    const node = aliveNode();
    const page = await signedIn(node);
    await page.goto(`${node.url}/workflows`);
    const definition = page.getByLabel('Definition (JSON)');
    const importForm = page.getByRole('form', { name: 'Import a workflow' });

    const broken = { ...HELLO, name: 'Broken', elements: [{ id: 'nap', type: 'sleep', seconds: -1 }] };
    const refused = await api<{ error: { message: string; field: string } }>(node, '/api/workflows', {
      method: 'POST',
      body: broken,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^element "nap" \(elements\.0\), field "seconds": /);
    await definition.fill(JSON.stringify(broken, null, 2));
    await importForm.getByRole('button', { name: 'Import' }).click();
    const alert = importForm.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Not imported; nothing changed');
    expect(await alert.getByText(refused.body.error.message, { exact: true }).count()).toBe(1);
    expect((await api<TWorkflowSummary[]>(node, '/api/workflows')).body.map((w) => w.name)).not.toContain('Broken');

    await definition.fill(JSON.stringify(HELLO));
    await importForm.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => importForm.getByRole('status').textContent()).toBe('Imported Hello as version 1.');
    const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row').filter({ hasText: 'Hello' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('who: string = "world"');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Export Hello' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('hello.json');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as typeof HELLO;
    expect(exported.name).toBe('Hello');
    expect(exported.elements.map((element) => element.id)).toEqual(['nap', 'greet']);
    // the same file imports as the same version: nothing changes
    const again = await api<TImportResult>(node, '/api/workflows', { method: 'POST', body: exported });
    expect(again.body).toEqual({ name: 'Hello', version: 1, created: false });

    await row.getByRole('button', { name: 'Start', exact: true }).click();
    const form = page.getByRole('form', { name: 'Start Hello' });
    expect(await form.getByLabel('who', { exact: true }).inputValue()).toBe('world');
    await form.getByLabel('who', { exact: true }).fill('operator');
    await form.getByRole('button', { name: 'Start run' }).click();
    await form.getByRole('link', { name: /^Open run / }).click();
    await page.waitForURL(/\/workflows\/runs\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toContain('COMPLETED');
    await expect
      .poll(() => page.getByRole('list', { name: 'Server log' }).getByText('hello operator', { exact: true }).count())
      .toBe(1);
  });

  it('cancels a running run from its page', async () => {
    const node = aliveNode();
    const { status, body: run } = await api<TRunSummary>(node, '/api/workflows/Cluster%20Test/runs', {
      method: 'POST',
      body: { inputs: { count: 60 } },
    });
    expect(status).toBe(201);
    const page = await signedIn(node);
    await page.goto(`${node.url}/workflows/runs/${run.id}`);
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).toContain('RUNNING');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Cancel the run' }).click();
    await expect.poll(() => heading.textContent()).toContain('CANCELLED');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect((await getRun(node, run.id)).status).toBe('CANCELLED');
  });

  it('gives a viewer the lists without start, import or cancel', async () => {
    const node = aliveNode();
    const created = await api(node, '/api/users', {
      method: 'POST',
      body: { name: 'reader', role: 'viewer', password: 'reader-password' },
    });
    expect(created.status).toBe(201);
    const page = await signedIn(node, 'reader', 'reader-password');
    await page.goto(`${node.url}/workflows`);
    const table = page.getByRole('table', { name: 'Workflows' });
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'Cluster Test' }).count()).toBe(1);
    expect(await table.getByRole('button', { name: 'Export Cluster Test' }).count()).toBe(1);
    expect(await table.getByRole('button', { name: 'Start', exact: true }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Import a workflow' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('table', { name: 'Runs' }).getByRole('link').count()).toBeGreaterThan(0);

    const { body: running } = await api<TRunSummary>(node, '/api/workflows/Cluster%20Test/runs', {
      method: 'POST',
      body: { inputs: { count: 30 } },
    });
    await page.goto(`${node.url}/workflows/runs/${running.id}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toContain('RUNNING');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await api(node, `/api/runs/${running.id}/cancel`, { method: 'POST' });
  });
});
