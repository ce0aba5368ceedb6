/**
 * The cluster page in a real Chromium against real nodes: live updates without reloads, a
 * failover seen from the survivor's open page, row actions, roles and settings validation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, ROOT, seedCluster, startNodes, stateOf } from '../helpers/cluster';

let databaseUrl: string;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

const openCluster = (node: NodeProcess, user = 'root', password = ROOT_PASSWORD): Promise<Page> =>
  openSignedIn(browser, node.url, { user, password, viewport: { width: 1280, height: 800 }, contexts });

const row = (page: Page, name: string) =>
  page
    .getByRole('table', { name: 'Nodes' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });

async function stateInPage(page: Page, name: string): Promise<string> {
  return (await row(page, name).textContent()) ?? '';
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // 1 s × 5: a node is LATE from 1.5 s to 5 s after its last heartbeat, long enough to see it
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 5 });
  [[nodeA, nodeB], browser] = await Promise.all([startNodes(databaseUrl, 2), launchBrowser()]);
  await pollUntil(async () => stateOf(await clusterStatus(nodeA), 'n1') === 'ACTIVE', { what: 'n1 to be active' });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await stopAllNodes();
});

describe('the cluster page', () => {
  let pageB: Page;

  it('lists both nodes on node B, marks B as this node, one ACTIVE and one STANDBY', async () => {
    pageB = await openCluster(nodeB);
    await expect.poll(() => stateInPage(pageB, 'n1')).toContain('ACTIVE');
    expect(await stateInPage(pageB, 'n2')).toContain('STANDBY');
    expect(await stateInPage(pageB, 'n2')).toMatch(/this node/i);
    expect(await stateInPage(pageB, 'n1')).not.toMatch(/this node/i);
  });

  it("shows settings saved on A in B's open page within one interval, without a reload", async () => {
    const pageA = await openCluster(nodeA);
    const field = pageA.getByLabel('Number of failover heartbeats');
    await field.fill('6');
    await expect.poll(() => pageA.getByText('fails over after 6 s').count()).toBeGreaterThan(0);
    await pageA.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => pageA.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    const savedAt = Date.now();
    await expect.poll(() => pageB.getByLabel('Number of failover heartbeats').inputValue(), { timeout: 5_000 }).toBe('6');
    expect(Date.now() - savedAt).toBeLessThan(1_000 + 1_500);
    await pageA.context().close();
  });

  it('follows a kill -9 of the active node: LATE, then NOT RESPONDING, B ACTIVE, the failover in the timeline', async () => {
    const navigations: string[] = [];
    pageB.on('framenavigated', (frame) => navigations.push(frame.url()));
    nodeA.killGroup('SIGKILL');
    await expect.poll(() => stateInPage(pageB, 'n1'), { timeout: 10_000, interval: 100 }).toContain('LATE');
    // while the dead node's lease runs out nobody is active, and the banner says so
    await expect
      .poll(() => pageB.getByRole('alert').filter({ hasText: 'No node is active' }).count(), { timeout: 10_000, interval: 100 })
      .toBe(1);
    await expect.poll(() => stateInPage(pageB, 'n1'), { timeout: 15_000, interval: 100 }).toContain('NOT RESPONDING');
    await expect.poll(() => stateInPage(pageB, 'n2'), { timeout: 10_000 }).toContain('ACTIVE');
    const failover = pageB.getByRole('listitem').filter({ hasText: 'became active' }).filter({ hasText: 'n2' });
    await expect.poll(() => failover.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await failover.first().locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(navigations).toEqual([]); // no reload
  });

  it('makes a standby active, puts it in maintenance, and removes the dead node', async () => {
    await startNode({ databaseUrl, name: 'n3' });
    await expect.poll(() => stateInPage(pageB, 'n3'), { timeout: 15_000 }).toContain('STANDBY');

    await row(pageB, 'n3').getByRole('button', { name: 'Make active' }).click();
    await expect.poll(() => stateInPage(pageB, 'n3'), { timeout: 10_000 }).toContain('ACTIVE');
    await expect.poll(() => stateInPage(pageB, 'n2'), { timeout: 10_000 }).toContain('STANDBY');

    await row(pageB, 'n3').getByRole('button', { name: 'Maintenance on' }).click();
    await expect.poll(() => stateInPage(pageB, 'n3'), { timeout: 10_000 }).toContain('MAINTENANCE');
    await expect.poll(() => stateInPage(pageB, 'n2'), { timeout: 10_000 }).toContain('ACTIVE');
    await row(pageB, 'n3').getByRole('button', { name: 'Maintenance off' }).click();
    await expect.poll(() => stateInPage(pageB, 'n3'), { timeout: 10_000 }).toContain('STANDBY');

    await row(pageB, 'n1').getByRole('button', { name: 'Remove' }).click();
    await pageB.getByRole('button', { name: 'Remove node' }).click();
    await expect.poll(() => stateInPage(pageB, 'n1'), { timeout: 10_000 }).toContain('REMOVED');
    expect(stateOf(await clusterStatus(nodeB), 'n1')).toBe('REMOVED');
  });

  it('says so, with their values, when someone else saved the settings first', async () => {
    await pageB.getByLabel('Number of failover heartbeats').fill('7');
    const { version } = (await clusterStatus(nodeB)).settings;
    const other = await fetch(`${nodeB.url}/api/cluster/settings`, {
      method: 'PUT',
      headers: { authorization: ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ failoverHeartbeats: 4, version }),
    });
    expect(other.status).toBe(200);
    await pageB.getByRole('button', { name: 'Save' }).click();
    const conflict = pageB.getByRole('alert').filter({ hasText: 'Someone else saved first.' });
    await expect.poll(() => conflict.count()).toBe(1);
    expect(await conflict.textContent()).toContain('× 4');
    expect((await clusterStatus(nodeB)).settings.failoverHeartbeats).toBe(4);
    await expect.poll(() => pageB.getByLabel('Number of failover heartbeats').inputValue()).toBe('4');
  });

  it("opens a node's detail with its heartbeat lag and its events", async () => {
    const detail = await pageB.context().newPage();
    await detail.goto(`${nodeB.url}/cluster`);
    await detail.getByRole('table', { name: 'Nodes' }).getByRole('link', { name: 'n2', exact: true }).click();
    await detail.waitForURL(/\/cluster\/nodes\//);
    await expect.poll(() => detail.getByRole('heading', { name: 'Heartbeat lag' }).count()).toBe(1);
    expect(await detail.locator('svg[aria-label]').count()).toBeGreaterThan(0);
    await expect.poll(() => detail.getByRole('listitem').filter({ hasText: 'became active' }).count()).toBeGreaterThan(0);
    await detail.close();
  });

  it('shows invalid settings as field errors and changes nothing', async () => {
    const before = (await clusterStatus(nodeB)).settings;
    await pageB.getByLabel('Heartbeat interval (seconds)').fill('0.1');
    await pageB.getByLabel('Number of active nodes').fill('65');
    await pageB.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => pageB.getByText(/heartbeatIntervalSeconds must be at least 0.2|at least 0\.2/).count())
      .toBeGreaterThan(0);
    expect(await pageB.getByLabel('Heartbeat interval (seconds)').getAttribute('aria-invalid')).toBe('true');
    expect((await clusterStatus(nodeB)).settings).toEqual(before);
  });
});

describe('a viewer on the cluster page', () => {
  it('has no enabled action, and the API refuses theirs', async () => {
    const created = await fetch(`${nodeB.url}/api/users`, {
      method: 'POST',
      headers: { authorization: ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'watcher', role: 'viewer', password: 'watcher-password' }),
    });
    expect(created.status).toBe(201);
    const page = await openCluster(nodeB, 'watcher', 'watcher-password');
    await expect.poll(() => stateInPage(page, 'n2')).toMatch(/ACTIVE|STANDBY/);
    const enabled = page.locator('main button:enabled').filter({ hasText: /Make active|Maintenance|Remove|Save/ });
    expect(await enabled.count()).toBe(0);
    expect(await page.getByLabel('Number of active nodes').isDisabled()).toBe(true);

    const standby = (await clusterStatus(nodeB)).nodes.find((node) => node.state === 'STANDBY')!;
    const refused = await page.evaluate(
      async (id) => (await fetch(`/api/cluster/nodes/${id}/activate`, { method: 'POST' })).status,
      standby.id,
    );
    expect(refused).toBe(403);
  });
});
