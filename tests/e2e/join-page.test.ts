/**
 * Joining from the page, as an operator would: on standalone node B enter A's address and
 * root credentials and check the seed; the page shows A's cluster, database host and
 * certificate, and nothing changes until the operator confirms. Then B restarts, and the page
 * ends on B's cluster page, signed in, showing B STANDBY beside A. A's open page shows B
 * without a reload.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, openSignedIn } from '../helpers/browser';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, seedCluster } from '../helpers/cluster';

const B_ROOT = 'b-local-root-password';
let databaseUrl: string;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let browser: Browser;

const open = (node: NodeProcess, password: string): Promise<Page> => openSignedIn(browser, node.url, { password });

const rowText = async (page: Page, name: string) =>
  (await page
    .getByRole('table', { name: 'Nodes' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) })
    .textContent()) ?? '';

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 5 });
  [nodeA, nodeB, browser] = await Promise.all([
    startNode({ databaseUrl, name: 'A' }),
    startNode({ name: 'B', env: { ORCH_ROOT_PASSWORD: B_ROOT } }),
    launchBrowser(),
  ]);
  await pollUntil(async () => (await health(nodeA))?.state === 'ACTIVE', { what: 'A to be active' });
});

afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

describe('joining from the page', () => {
  it("shows the seed's facts, joins B to A's cluster only after the confirm click, and A's open page shows B without a reload", async () => {
    const pageA = await open(nodeA, ROOT_PASSWORD);
    const reloadsOfA: string[] = [];
    pageA.on('framenavigated', (frame) => reloadsOfA.push(frame.url()));
    expect(await pageA.getByRole('table', { name: 'Nodes' }).getByRole('link', { name: 'B', exact: true }).count()).toBe(0);

    const pageB = await open(nodeB, B_ROOT);
    await expect.poll(() => pageB.getByText('users and passwords come from the cluster').count()).toBeGreaterThan(0);
    await pageB.getByLabel('Address of a node in the cluster').fill(nodeA.url);
    await pageB.getByLabel('Administrator user name').fill('root');
    await pageB.getByLabel('Administrator password').fill(ROOT_PASSWORD);
    await pageB.getByRole('button', { name: 'Check seed', exact: true }).click();

    // what the seed answered, for the operator to read before anything changes
    const confirmation = pageB.getByRole('region', { name: 'Confirm the join' });
    await confirmation.waitFor({ timeout: 30_000 });
    const cluster = await (await fetch(`${nodeA.url}/api/cluster/join-info`)).json();
    const database = new URL(databaseUrl);
    const shown = (await confirmation.textContent()) ?? '';
    expect(shown).toContain(cluster.clusterName);
    expect(shown).toContain(cluster.clusterId);
    expect(shown).toContain(`${database.hostname}:${database.port}${database.pathname}`);
    expect(shown).toContain(cluster.clusterFingerprint);
    expect(shown).not.toContain(database.password || 'no password in the URL');
    expect((await health(nodeB))?.clusterId).toBeNull();
    await pageB.getByRole('button', { name: 'Confirm and join', exact: true }).click();

    // B restarts into the cluster; the page follows it and signs in with the cluster's credentials
    await pollUntil(async () => (await health(nodeB))?.clusterId === (await health(nodeA))?.clusterId, {
      timeoutMs: 60_000,
      what: 'B to join',
    });
    await expect.poll(() => rowText(pageB, 'B'), { timeout: 60_000 }).toContain('STANDBY');
    expect(await rowText(pageB, 'A')).toContain('ACTIVE');
    expect(await rowText(pageB, 'B')).toMatch(/this node/i);
    expect(new URL(pageB.url()).pathname).toBe('/cluster');

    await expect.poll(() => rowText(pageA, 'B'), { timeout: 15_000 }).toContain('STANDBY');
    expect(reloadsOfA).toEqual([]);
  });
});
