/**
 * The configuration history in a real Chromium against a real node: every pushed version listed
 * with who, when and what changed; two versions compared field by field; an older version pushed
 * again from the page, which becomes the reference as a new version.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { THistoryEntry } from '@/lib/config/config-history';
import { createTestDatabase } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, ROOT, seedCluster, startNodes } from '../helpers/cluster';

let node: NodeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function api<T>(route: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`${node.url}${route}`, {
    method,
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [[node], browser] = await Promise.all([startNodes(databaseUrl, 1), launchBrowser()]);
  await pollUntil(async () => (await clusterStatus(node)).nodes.every((member) => member.activeFingerprint), {
    what: 'the node to report its configuration',
  });
  await api('/api/config/push', 'POST', {});
  // the node writes version 1 to its disk on a heartbeat (CONFIG_APPLIED); an edit made before
  // that would be written over by it
  await pollUntil(async () => (await api<unknown[]>('/api/cluster/events?kind=CONFIG_APPLIED', 'GET')).length > 0, {
    what: 'the node to apply version 1',
  });
  await api('/api/config/settings', 'PUT', { logLevel: 'debug' });
  await pollUntil(async () => (await clusterStatus(node)).nodes[0].localChanges, {
    what: 'the setting to show as a local change',
  });
  await api('/api/config/push', 'POST', {});
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
  await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
  await page.waitForURL(/\/cluster/);
  await page.goto(`${node.url}/configuration`);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stopAllNodes();
});

const versionRow = (name: string) =>
  page.getByRole('table', { name: 'Pushed configuration versions' }).getByRole('row', { name, exact: true });

describe('configuration history page', () => {
  it('lists every pushed version with who pushed it, from which node, and what changed', async () => {
    await expect.poll(() => versionRow('Version 2').textContent(), { timeout: 15_000 }).toContain('logLevel');
    const latest = (await versionRow('Version 2').textContent()) ?? '';
    expect(latest).toContain('reference');
    expect(latest).toContain('root');
    expect(latest).toContain('n1');
    expect(await versionRow('Version 1').textContent()).toContain('earliest version kept');
  });

  it('compares two versions field by field', async () => {
    const form = page.getByRole('form', { name: 'Compare two versions' });
    await form.getByLabel('Compare version').selectOption('1');
    await form.getByLabel('with version').selectOption('2');
    await form.getByRole('button', { name: 'Compare' }).click();
    const table = page.getByRole('region', { name: 'Version 2 against version 1' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('Setting logLevel');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('debug');
    expect(text).toContain('info');
  });

  it('pushes version 1 again: it becomes the reference as version 3', async () => {
    const [first] = (await api<{ versions: THistoryEntry[] }>('/api/config/versions')).versions.filter(
      (entry) => entry.version === 1,
    );
    await versionRow('Version 1').getByRole('button', { name: 'Push this version again' }).click();
    await page.getByRole('button', { name: 'Push version 1', exact: true }).click();
    await expect.poll(() => page.getByText('Version 1 pushed again as version 3').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => versionRow('Version 3').textContent(), { timeout: 10_000 }).toContain('reference');
    expect((await clusterStatus(node)).reference).toMatchObject({ version: 3, fingerprint: first.fingerprint });
  });
});
