/**
 * The Configuration page and the sync states of the cluster page in a real Chromium against two
 * real nodes: the reference scenario as an operator clicks through it (install a plugin
 * on A, see the difference, push, push and reset), with an ACTIVE node at every moment of the
 * rolling reset as the nodes themselves report; a refused package; restarting a node; roles.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TInstalledPlugins } from '@/lib/plugins/installed-plugins';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes, watchForAnActiveNode } from '../helpers/cluster';
import { api, apiOk } from '../helpers/http';

const SAMPLE = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins', 'greeting.orchplugin');
const SHOTS = '/tmp/shots';

let nodeA: NodeProcess;
let nodeB: NodeProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function openPage(node: NodeProcess, route: string, user = 'root', password = ROOT_PASSWORD): Promise<Page> {
  const page = await openSignedIn(browser, node.url, { user, password, contexts });
  if (route !== '/cluster') await page.goto(`${node.url}${route}`);
  return page;
}

const row = (page: Page, name: string) =>
  page
    .getByRole('table', { name: 'Nodes' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
const rowText = async (page: Page, name: string) => (await row(page, name).textContent()) ?? '';
const syncStates = async () => Object.fromEntries((await clusterStatus(nodeA)).nodes.map((node) => [node.name, node.syncState]));

async function installedPlugins(node: NodeProcess): Promise<TInstalledPlugins> {
  return apiOk<TInstalledPlugins>(node, '/api/config/plugins');
}

async function createUser(name: string, role: 'viewer' | 'operator'): Promise<void> {
  const created = await api(nodeA, '/api/users', { method: 'POST', body: { name, role, password: `${name}-password` } });
  expect(created.status).toBe(201);
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [[nodeA, nodeB], browser] = await Promise.all([startNodes(databaseUrl, 2), launchBrowser()]);
  await pollUntil(
    async () =>
      (await clusterStatus(nodeA)).nodes.every(
        (node) => node.activeFingerprint && (node.state === 'ACTIVE' || node.state === 'STANDBY'),
      ),
    {
      what: 'both nodes to report their configuration',
    },
  );
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await stopAllNodes();
});

describe('configuration: the reference scenario in the browser', () => {
  let clusterPage: Page; // the cluster page, on node B
  let configPage: Page; // the Configuration page, on node A

  it('shows both nodes IN SYNC on the cluster page, and the cluster converged', async () => {
    clusterPage = await openPage(nodeB, '/cluster');
    await expect.poll(() => rowText(clusterPage, 'n1'), { timeout: 10_000 }).toContain('IN SYNC');
    expect(await rowText(clusterPage, 'n2')).toContain('IN SYNC');
    const converged = clusterPage.getByRole('status', { name: 'Cluster convergence' });
    await expect.poll(() => converged.textContent()).toContain('Converged');
  });

  it('installs greeting.orchplugin on A from its Configuration page; it says the plugin takes effect after a restart', async () => {
    configPage = await openPage(nodeA, '/configuration');
    await expect.poll(() => configPage.getByRole('heading', { name: 'Plugins' }).count()).toBe(1);
    await expect
      .poll(() => configPage.getByRole('table', { name: 'Installed plugins' }).textContent())
      .toContain('No plugins installed.');
    await configPage.getByLabel('Plugin package (.orchplugin)').setInputFiles(SAMPLE);
    await configPage.getByRole('button', { name: 'Install plugin' }).click();
    const installed = configPage.getByRole('status').filter({ hasText: 'Installed greeting 1.0.0' });
    await expect.poll(() => installed.count()).toBe(1);
    expect(await installed.textContent()).toMatch(/after this node restarts/);
    const table = configPage.getByRole('table', { name: 'Installed plugins' });
    await expect.poll(() => table.textContent()).toContain('greeting');
    expect(await table.textContent()).toContain('greet'); // its action
  });

  it("refuses a malformed package and a duplicate with the node's own words, and the plugin list stays as it was", async () => {
    const before = await installedPlugins(nodeA);
    const input = configPage.getByLabel('Plugin package (.orchplugin)');
    await input.setInputFiles({
      name: 'broken.orchplugin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('{"format": "orch-plugin/1", "manifest": '),
    });
    await configPage.getByRole('button', { name: 'Install plugin' }).click();
    const refused = configPage.getByRole('alert').filter({ hasText: 'broken.orchplugin was not installed' });
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.textContent()).toContain('the package is not valid JSON');

    await input.setInputFiles(SAMPLE);
    await configPage.getByRole('button', { name: 'Install plugin' }).click();
    const duplicate = configPage.getByRole('alert').filter({ hasText: 'greeting 1.0.0 is already installed' });
    await expect.poll(() => duplicate.count()).toBe(1);

    expect(await installedPlugins(nodeA)).toEqual(before);
    expect(await configPage.getByRole('table', { name: 'Installed plugins' }).getByRole('row').count()).toBe(2); // header and greeting
  });

  it("shows A LOCAL CHANGES and B OUT OF SYNC; B's badge opens the difference naming the plugin; Escape closes it", async () => {
    await expect.poll(() => rowText(clusterPage, 'n1'), { timeout: 10_000 }).toContain('LOCAL CHANGES');
    await expect.poll(() => rowText(clusterPage, 'n2'), { timeout: 10_000 }).toContain('OUT OF SYNC');
    await clusterPage.getByRole('table', { name: 'Nodes' }).screenshot({ path: `${SHOTS}/cluster-sync-states.png` });
    await row(clusterPage, 'n2').getByRole('button', { name: 'OUT OF SYNC' }).click();
    const dialog = clusterPage.getByRole('dialog', { name: /Configuration of n2/ });
    await expect.poll(() => dialog.count()).toBe(1);
    await expect.poll(() => dialog.getByRole('table', { name: 'Running now' }).textContent()).toContain('Plugin greeting');
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('Compared with: the unpushed configuration of n1');
    expect(text).toMatch(/not on this node/);
    expect(text).toMatch(/Active fingerprint/);
    await clusterPage.screenshot({ path: `${SHOTS}/config-diff-dialog.png` });
    await clusterPage.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('Push configuration: B shows PENDING RESTART; pushing again says there is nothing to push', async () => {
    await configPage.getByRole('button', { name: 'Push configuration', exact: true }).click();
    await expect.poll(() => configPage.getByRole('status').filter({ hasText: 'Pushed configuration version 1' }).count()).toBe(1);
    await expect.poll(() => rowText(clusterPage, 'n2'), { timeout: 10_000 }).toContain('PENDING RESTART');
    await expect
      .poll(() => configPage.getByRole('status', { name: 'Cluster convergence' }).textContent())
      .toContain('Not converged');
    const reference = configPage.getByRole('definition').filter({ hasText: /^1$/ });
    expect(await reference.count()).toBeGreaterThan(0);

    await configPage.getByRole('button', { name: 'Push configuration', exact: true }).click();
    await expect.poll(() => configPage.getByRole('alert').filter({ hasText: 'nothing to push' }).count()).toBe(1);
    await configPage.screenshot({ path: `${SHOTS}/configuration-page.png`, fullPage: true });
  });

  it('Push configuration and reset nodes: the progress is shown, both end IN SYNC and converged, with an ACTIVE node throughout', async () => {
    const watcher = watchForAnActiveNode([nodeA, nodeB], 100);
    let watched: { samples: number; gaps: string[] } | undefined;
    try {
      await configPage.getByRole('button', { name: 'Push configuration and reset nodes' }).click();
      await configPage.getByRole('button', { name: 'Push and reset nodes' }).click();
      await expect
        .poll(() =>
          configPage
            .getByRole('status')
            .filter({ hasText: /Rolling reset #\d+ started/ })
            .count(),
        )
        .toBe(1);
      const progress = clusterPage.getByRole('region', { name: 'Rolling reset' });
      await expect.poll(() => progress.count(), { timeout: 10_000 }).toBe(1);
      // the steps as the page names them: a failure shows where the reset was instead (failed or
      // skipped)
      const steps = () =>
        progress
          .getByRole('list', { name: 'Nodes in restart order' })
          .getByRole('listitem')
          .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
      // the page shows the reset part-way: n2 restarting, or n2 back in sync while n1 (the
      // coordinator, last) is not yet. A node is back within about a second, so n2's RESTARTING
      // alone can fall between two refreshes of the page (seen once in a full run)
      const partWay = (labels: (string | null)[]) =>
        labels.includes('n2: RESTARTING') || (labels.includes('n2: IN SYNC') && !labels.includes('n1: IN SYNC'));
      await expect.poll(steps, { timeout: 30_000, interval: 100 }).toSatisfy(partWay);
      await progress.scrollIntoViewIfNeeded();
      await clusterPage.screenshot({ path: `${SHOTS}/cluster-rollout-progress.png` });
      await expect.poll(() => progress.textContent(), { timeout: 120_000, interval: 250 }).toContain('COMPLETED');
      expect(await progress.getByRole('listitem', { name: 'n1: IN SYNC' }).count()).toBe(1);
      expect(await progress.getByRole('listitem', { name: 'n2: IN SYNC' }).count()).toBe(1);
    } finally {
      watched = await watcher.stop();
    }
    await expect.poll(() => rowText(clusterPage, 'n1'), { timeout: 15_000 }).toContain('IN SYNC');
    await expect.poll(() => rowText(clusterPage, 'n2'), { timeout: 15_000 }).toContain('IN SYNC');
    // A restarted last (it coordinated the reset); its page carries on by itself
    await expect
      .poll(() => configPage.getByRole('status', { name: 'Cluster convergence' }).textContent(), { timeout: 20_000 })
      .toContain('Converged');
    expect(await syncStates()).toEqual({ n1: 'IN_SYNC', n2: 'IN_SYNC' });
    const { samples, gaps } = watched;
    expect(samples).toBeGreaterThan(20);
    expect(gaps, `samples with no ACTIVE node: ${gaps.length} of ${samples}`).toEqual([]);
  });

  it("an admin restarts a node from the row; the only ACTIVE node's confirmation warns about it", async () => {
    // one ACTIVE and one STANDBY (right after a reset, the extra active slot may still be on its way back)
    const status = await pollUntil(
      async () => {
        const current = await clusterStatus(nodeA);
        const states = current.nodes.map((node) => node.state).sort();
        return states.join() === 'ACTIVE,STANDBY' ? current : undefined;
      },
      { what: 'one active and one standby node' },
    );
    const active = status.nodes.find((node) => node.state === 'ACTIVE')!;
    const standby = status.nodes.find((node) => node.state === 'STANDBY')!;
    await row(clusterPage, active.name).getByRole('button', { name: 'Restart', exact: true }).click();
    const warning = clusterPage.getByRole('group', { name: /is the only ACTIVE node/ });
    await expect.poll(() => warning.count()).toBe(1);
    await warning.getByRole('button', { name: 'Cancel' }).click();

    await row(clusterPage, standby.name).getByRole('button', { name: 'Restart', exact: true }).click();
    expect(await clusterPage.getByRole('group', { name: /only ACTIVE/ }).count()).toBe(0);
    await clusterPage.getByRole('button', { name: 'Restart node' }).click();
    await pollUntil(
      async () => {
        const now = (await clusterStatus(nodeA)).nodes.find((node) => node.id === standby.id)!;
        return now.startedAt > standby.startedAt && now.state === 'STANDBY';
      },
      { what: `${standby.name} restarted`, timeoutMs: 60_000 },
    );
  });
});

describe('configuration controls by role', () => {
  it('an operator pushes but neither installs plugins nor restarts nodes (the API refuses with 403)', async () => {
    await createUser('oper', 'operator');
    const page = await openPage(nodeA, '/cluster', 'oper', 'oper-password');
    await expect.poll(() => rowText(page, 'n2'), { timeout: 10_000 }).toMatch(/ACTIVE|STANDBY/);
    expect(await page.getByRole('button', { name: /^Maintenance/ }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Restart', exact: true }).count()).toBe(0);
    const id = (await clusterStatus(nodeA)).nodes[1].id;
    expect(
      await page.evaluate(async (node) => (await fetch(`/api/cluster/nodes/${node}/restart`, { method: 'POST' })).status, id),
    ).toBe(403);

    await page.goto(`${nodeA.url}/configuration`);
    await expect.poll(() => page.getByRole('button', { name: 'Push configuration', exact: true }).count()).toBe(1);
    expect(await page.locator('input[type=file]').count()).toBe(0);
    expect(await page.getByText('Only an administrator can install plugins.').count()).toBe(1);
  });

  it('a viewer sees no push, upload or restart control', async () => {
    await createUser('watcher', 'viewer');
    const page = await openPage(nodeA, '/configuration', 'watcher', 'watcher-password');
    await expect.poll(() => page.getByRole('table', { name: 'Installed plugins' }).textContent()).toContain('greeting');
    await expect.poll(() => page.getByRole('status', { name: 'Cluster convergence' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Push configuration/ }).count()).toBe(0);
    expect(await page.locator('input[type=file]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    expect(await page.getByLabel('Maximum concurrent workflow runs').isDisabled()).toBe(true);

    await page.goto(`${nodeA.url}/cluster`);
    await expect.poll(() => rowText(page, 'n1'), { timeout: 10_000 }).toContain('IN SYNC');
    expect(await page.getByRole('button', { name: 'Restart', exact: true }).count()).toBe(0);
    // the sync badge still opens the difference: reading is for everyone
    await row(page, 'n1').getByRole('button', { name: 'IN SYNC' }).click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('No differences.');
  });
});

describe('server settings on the Configuration page', () => {
  it('shows a refused value next to its field, and a restart-required change as in force now vs on disk', async () => {
    const page = await openPage(nodeA, '/configuration');
    const field = page.getByLabel('Maximum concurrent workflow runs');
    await expect.poll(() => field.inputValue()).toBe('10');
    await field.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    const form = page.getByRole('form', { name: 'Server settings' });
    // the node's own message about the minimum, next to the field
    const described = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = described.split(' ').find((id) => id.endsWith('-error'))!;
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toMatch(/>=\s*1|at least 1/);
    expect((await clusterStatus(nodeA)).nodes.find((node) => node.name === 'n1')?.syncState).toBe('IN_SYNC');

    await field.fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved on this node' }).count()).toBe(1);
    await expect.poll(() => form.textContent()).toContain('In force now: 10 · on disk: 3');
    await pollUntil(
      async () => {
        const self = (await clusterStatus(nodeA)).nodes.find((node) => node.name === 'n1');
        return self?.restartPending && self.syncState === 'LOCAL_CHANGES';
      },
      { what: 'A: local changes, restart pending' },
    );
  });
});
