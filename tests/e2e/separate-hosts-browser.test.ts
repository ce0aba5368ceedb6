/**
 * The browser on a host of its own uses the cluster through nginx on a fourth host, over HTTPS,
 * through a kill -9 of the active node. Every machine is a network namespace of its own
 * (tests/helpers/host-network.ts): the database, nodes A and B, the load balancer and the browser.
 * The set-up follows docs/operations.md, "A multi-host cluster, step by step", command by command:
 * only the documented ports open on each host (iptables in its namespace), nodes listening on their own addresses, the cluster certificate generated with orchctl and
 * pushed with a reset, orchctl over HTTPS trusting that certificate, and nginx (the shipped
 * configuration) proxying to the nodes' HTTPS, verifying them with it.
 * Where namespaces cannot be made, the file fails and says why.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health, seedCluster } from '../helpers/cluster';
import { launchBrowser, signInWithForm } from '../helpers/browser';
import { HostDatabase, HostNetwork, startHostNode } from '../helpers/host-network';
import { rawRequest } from '../helpers/https-request';
import { startShippedNginxOnHost, type TRunningNginx } from '../helpers/nginx';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';

const CREDENTIALS = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
let network: HostNetwork;
let database: HostDatabase | undefined;
let nginx: TRunningNginx | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let trustDir: string;
const nodes = new Map<TName, NodeProcess>();
type TName = 'node-1' | 'node-2';

beforeAll(async () => {
  network = await HostNetwork.create(['db', 'a', 'b', 'lb', 'browser']);
  // the documented ports, and nothing else, open on each host (the browser's host accepts nothing new)
  for (const [host, ports] of [
    ['db', [5432]],
    ['a', [3000]],
    ['b', [3000]],
    ['lb', [80, 443]],
    ['browser', []],
  ] as const)
    await network.allowOnly(host, [...ports]);
  database = await HostDatabase.start(network, 'db');
  await seedCluster(database.url, { intervalMs: 1_000, failoverHeartbeats: 3 });
  const lb = network.host('lb');
  // step 1: each node on its own address, trusting the load balancer's forwarding headers; no --advertise:
  // each advertises its address, at https:// from the restart that serves the certificate of step 2
  const env = { ORCH_TRUSTED_PROXIES: lb.address };
  for (const [name, host] of [
    ['node-1', 'a'],
    ['node-2', 'b'],
  ] as const) {
    const address = network.host(host).address;
    nodes.set(
      name,
      await startHostNode({
        network,
        host,
        name,
        databaseUrl: database.url,
        listen: address,
        env,
      }),
    );
  }
  const a = nodes.get('node-1')!;
  await pollUntil(async () => (await health(nodes.get('node-2')!))?.state === 'STANDBY', { what: 'node-2 to stand by' });

  // step 2: the cluster certificate, generated on one node and pushed to all with a reset
  const generated = await runOrchctl(['certificate', 'generate', '--url', a.url], CREDENTIALS);
  expect(generated.code, generated.stderr).toBe(0);
  const pushed = await runOrchctl(['push', '--url', a.url, '--reset', '--no-wait'], CREDENTIALS);
  expect(pushed.code, pushed.stderr).toBe(0);
  // step 3: the certificate is public; administrators and the load balancer trust it
  trustDir = await mkdtemp(path.join(os.tmpdir(), 'orch-cluster-trust-'));
  const certificate = readFileSync(path.join(a.dataDir, 'config', 'tls', 'certificate.pem'), 'utf8');
  await writeFile(path.join(trustDir, 'cluster.crt'), certificate);
  for (const host of ['a', 'b']) {
    await pollUntil(
      async () =>
        (await rawRequest(`https://${network.host(host).address}:3000/api/health`, { ca: certificate, timeoutMs: 2_000 }))
          .status === 200,
      {
        what: `${host} to serve HTTPS with the cluster certificate`,
        timeoutMs: 240_000,
      },
    );
  }
  await pollUntil(
    async () => {
      const states = await Promise.all([...nodes.values()].map(async (node) => (await health(node))?.state));
      return states.includes('ACTIVE') && states.includes('STANDBY');
    },
    { what: 'one node active and one standing by after the rolling reset', timeoutMs: 120_000 },
  );

  // step 4: nginx on its own host, to the nodes' HTTPS
  nginx = await startShippedNginxOnHost({
    namespace: lb.namespace,
    address: lb.address,
    upstreams: ['a', 'b'].map((host) => `${network.host(host).address}:3000`),
    clusterCertificate: certificate,
    // a member's name: the cluster certificate covers every member's name and advertised address
    verifyName: 'node-1',
  });
  browser = await launchBrowser({ namespace: network.host('browser').namespace });
  // the load balancer's certificate is the test's own, self-signed: Chromium is told to accept it
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}, 480_000);

afterAll(async () => {
  await browser?.close();
  nginx?.stop();
  await stopAllNodes();
  await Promise.all([...nodes.values()].map((node) => rm(node.dataDir, { recursive: true, force: true })));
  if (trustDir) await rm(trustDir, { recursive: true, force: true });
  await database?.stop();
  await network?.destroy();
}, 60_000);

const row = (name: string) =>
  page
    .getByRole('table', { name: 'Nodes' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
const stateInPage = async (name: string) => (await row(name).textContent()) ?? '';

describe('a browser on its own host, through nginx on a fourth host, over HTTPS', () => {
  it('orchctl reaches the cluster over HTTPS, trusting the cluster certificate, and sees both nodes at their own addresses', async () => {
    const a = network.host('a');
    const status = await runOrchctl(['status', '--url', `https://${a.address}:3000`, '--json'], {
      ...CREDENTIALS,
      NODE_EXTRA_CA_CERTS: path.join(trustDir, 'cluster.crt'),
    });
    expect(status.code, status.stderr).toBe(0);
    const urls = (JSON.parse(status.stdout) as { nodes: { name: string; url: string }[] }).nodes
      .map((member) => member.url)
      .sort();
    expect(urls).toEqual([`https://${a.address}:3000`, `https://${network.host('b').address}:3000`]);
    // served over HTTPS, so advertised at https:// (never told to): no member is reported for plain HTTP
    const alarms = (JSON.parse(status.stdout) as { alarms?: { code: string }[] }).alarms ?? [];
    expect(alarms.map((alarm) => alarm.code)).not.toContain('PLAIN_HTTP');
  });

  it('signs in through the load balancer and shows the cluster with one active node', async () => {
    await signInWithForm(page, nginx!.base, 'root', ROOT_PASSWORD);
    await page.waitForURL(/\/cluster/);
    expect(new URL(page.url()).origin).toBe(nginx!.base);
    const session = (await context.cookies()).find((cookie) => cookie.name === 'next-auth.session-token');
    expect(session?.secure).toBe(true);
    await expect
      .poll(
        async () => [await stateInPage('node-1'), await stateInPage('node-2')].filter((text) => text.includes('ACTIVE')).length,
        { timeout: 15_000 },
      )
      .toBe(1);
  });

  it(
    'kill -9 of the active node: the open page shows the other node ACTIVE by itself, and the console keeps working',
    { timeout: 180_000 },
    async () => {
      const active = await pollUntil(
        async () => {
          for (const [name, node] of nodes) if ((await health(node))?.state === 'ACTIVE') return name;
          return undefined;
        },
        { what: 'the active node' },
      );
      const survivor = active === 'node-1' ? 'node-2' : 'node-1';
      const killedAt = Date.now();
      nodes.get(active)!.killGroup('SIGKILL');
      // no reload, no click: the page's own refresh, through nginx, reaches the survivor
      await expect.poll(() => stateInPage(survivor), { timeout: 60_000, interval: 250 }).toContain('ACTIVE');
      await expect.poll(() => stateInPage(active), { timeout: 30_000 }).not.toContain('ACTIVE');
      console.log(
        `browser through nginx on another host: kill -9 of ${active} -> the open page shows ${survivor} ACTIVE after ${Date.now() - killedAt} ms`,
      );
      expect(new URL(page.url()).pathname).toBe('/cluster');

      // still signed in, and a write through the proxy is served by the survivor
      await page.goto(`${nginx!.base}/users`);
      expect(new URL(page.url()).pathname).toBe('/users');
      await page.getByLabel('Name', { exact: true }).fill('after-failover');
      await page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await page.getByLabel('Password', { exact: true }).fill('viewer-password');
      await page.getByRole('button', { name: 'Create user' }).click();
      await expect
        .poll(() => page.getByRole('cell', { name: 'after-failover', exact: true }).count(), { timeout: 15_000 })
        .toBe(1);

      // the audit log: the survivor served it, to the browser's own host as nginx forwarded it
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      const entry = await client
        .query<{ address: string; node: string }>(
          `SELECT a.address, n.name AS node FROM audit_entry a JOIN cluster_node n ON n.id = a.node_id
          WHERE a.method = 'POST' AND a.path = '/api/users' AND a.status = 201 ORDER BY a.id DESC LIMIT 1`,
        )
        .finally(() => client.end());
      expect(entry.rows[0]).toEqual({ address: network.host('browser').address, node: survivor });
    },
  );
});
