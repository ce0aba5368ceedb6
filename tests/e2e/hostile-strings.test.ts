/**
 * Hostile text (HTML and script, SQL, right-to-left override, emoji, very long) in the text
 * fields an operator fills in: stored exactly as given, shown as text (never run) on every page
 * that displays it, and a value longer than a field allows is refused naming the field.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';

// under the 100 characters of the shortest field it goes into (a token's name)
const HOSTILE = `<img src=x onerror="window.__pwned=1"><b>'; DROP TABLE app_user;--</b> \u202Eevil ☃ 😀`;
const ROOT = basicAuth('root', ROOT_PASSWORD);
let node: NodeProcess;
let databaseUrl: string;
let browser: Browser;
let page: Page;
let runId: string;

/** the fields these tests read from the API's answers */
type TAnswer = {
  id: string;
  status: string;
  description: string;
  variables: Record<string, unknown>;
  error: { field?: string; message: string };
};

async function call<T = TAnswer>(route: string, method = 'GET', body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${node.url}${route}`, {
    method,
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  [node, browser] = await Promise.all([startNode({ databaseUrl }), launchBrowser()]);
  expect((await call('/api/tokens', 'POST', { name: HOSTILE })).status).toBe(201);
  const imported = await call('/api/workflows', 'POST', {
    name: 'Hostile',
    description: HOSTILE,
    inputs: [{ name: 'label', type: 'string', default: HOSTILE }],
    elements: [
      { id: 'say', type: 'log', target: 'server', message: 'label' },
      { id: 'keep', type: 'set', variable: 'echo', expression: 'label' },
    ],
  });
  expect(imported.status, JSON.stringify(imported.json)).toBe(201);
  const started = await call('/api/workflows/Hostile/runs', 'POST', { inputs: { label: HOSTILE } });
  expect(started.status).toBe(201);
  runId = started.json.id;
  await pollUntil(async () => (await call(`/api/runs/${runId}`)).json.status === 'COMPLETED', { what: 'the run to complete' });
  page = await (await browser.newContext()).newPage();
  await signInWithForm(page, node.url, 'root', ROOT_PASSWORD);
  await page.waitForURL(/\/cluster/);
});
afterAll(async () => {
  await browser?.close();
  await stopAllNodes();
});

async function expectShownAsText(route: string): Promise<void> {
  await page.goto(`${node.url}${route}`);
  await expect.poll(async () => (await page.locator('main').textContent()) ?? '', { timeout: 15_000 }).toContain(HOSTILE);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main img[src="x"]').count()).toBe(0);
}

describe('hostile strings', () => {
  it('are stored exactly as given', async () => {
    const [token] = await withClient(databaseUrl, async (client) => (await client.query('SELECT name FROM api_token')).rows);
    expect(token.name).toBe(HOSTILE);
    expect((await call('/api/workflows/Hostile')).json.description).toBe(HOSTILE);
    const run = (await call(`/api/runs/${runId}`)).json;
    expect(run.variables.echo).toBe(HOSTILE);
    expect((await call<{ message: string }[]>(`/api/runs/${runId}/logs`)).json.map((entry) => entry.message)).toContain(HOSTILE);
    // the tables the SQL text names are all still there
    expect((await call('/api/users')).status).toBe(200);
  });

  it('render as inert text on every page that shows them', async () => {
    await expectShownAsText('/account');
    await expectShownAsText('/workflows');
    await expectShownAsText(`/workflows/runs/${runId}`);
  });

  it('longer than a field allows: refused naming the field, nothing stored', async () => {
    const long = HOSTILE.repeat(200);
    const token = await call('/api/tokens', 'POST', { name: long });
    expect(token.status).toBe(400);
    expect(token.json.error.field).toBe('name');
    const workflow = await call('/api/workflows', 'POST', {
      name: 'Long',
      description: long,
      elements: [{ id: 'end', type: 'end' }],
    });
    expect(workflow.status).toBe(400);
    expect(workflow.json.error.message).toMatch(/description/);
    expect((await call<{ name: string }[]>('/api/workflows')).json.map((entry) => entry.name)).not.toContain('Long');
    const user = await call('/api/users', 'POST', { name: HOSTILE, role: 'viewer', password: 'a-long-enough-password' });
    expect(user.status).toBe(400);
    expect(user.json.error.field).toBe('name');
  });
});
