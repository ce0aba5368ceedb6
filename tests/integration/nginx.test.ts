/**
 * Debian's nginx with the repository's configuration (deploy/nginx/orchestrator.conf, TLS ending
 * in nginx) in front of two real nodes that trust it as the configuration's header says: requests
 * through nginx keep being served across a failover (kill -9 of the active node), failing for no
 * longer than the failover window; and a proxy on the nodes' machine does not make its clients
 * "loopback": plain HTTP never carries a join bundle, each client keeps its own sign-in limit,
 * HTTPS through nginx earns Secure cookies and HSTS.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { rawRequest, signInRaw } from '../helpers/https-request';
import { startShippedNginx, trustedProxiesFromConfig, type TRunningNginx } from '../helpers/nginx';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster } from '../helpers/cluster';

// Strict-Transport-Security with a lifetime browsers keep
const HSTS = /^max-age=[1-9]\d{5,}$/;
const WINDOW_MS = 2_000;
let nodes: NodeProcess[];
let nginx: TRunningNginx;
let ca: string;
let plainBase: string;
let base: string;
let version: string;
let databaseUrl: string;
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
const joiningNode = () => ({ id: randomUUID(), name: 'intruder', url: 'https://intruder.example:3000', version });

async function joinToken(): Promise<string> {
  const answer = await rawRequest(`${base}/api/cluster/join-tokens`, {
    ca,
    headers: { authorization: ROOT },
    body: JSON.stringify({ ttlMinutes: 15 }),
  });
  expect(answer.status, answer.body).toBe(201);
  return answer.json<{ token: string }>().token;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  const env = { ORCH_TRUSTED_PROXIES: trustedProxiesFromConfig() };
  nodes = [await startNode({ databaseUrl, name: 'n1', env }), await startNode({ databaseUrl, name: 'n2', env })];
  await pollUntil(async () => (await health(nodes[0]))?.state === 'ACTIVE', { what: 'n1 active' });
  nginx = await startShippedNginx(nodes.map((node) => node.port));
  ({ base, plainBase, ca } = nginx);
  version = (await rawRequest(`${base}/api/cluster/join-info`, { ca })).json<{ version: string }>().version;
});
afterAll(async () => {
  nginx?.stop();
  await stopAllNodes();
});

describe("nginx terminating TLS in front of the cluster, on the nodes' machine", () => {
  it('never serves the join bundle over plain HTTP: port 80 only redirects to HTTPS', async () => {
    const token = await joinToken();
    const answer = await rawRequest(`${plainBase}/api/cluster/join-bundle`, {
      body: JSON.stringify({ node: joiningNode(), credentials: { token } }),
    });
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toMatch(/^https:\/\/127\.0\.0\.1\/api\/cluster\/join-bundle$/);
    expect(answer.body).not.toContain('databaseUrl');
    expect(answer.headers['strict-transport-security']).toBeUndefined();
  });

  it('over HTTPS through nginx, the join bundle still needs a valid token or administrator password', async () => {
    // a client from another machine: this machine's own network address as the source
    expect(externalAddress, 'this test needs a network interface with a non-loopback IPv4 address').toBeDefined();
    const bundle = (credentials: object) =>
      rawRequest(`${base}/api/cluster/join-bundle`, {
        ca,
        localAddress: externalAddress,
        body: JSON.stringify({ node: joiningNode(), credentials }),
      });
    const wrongPassword = await bundle({ user: 'root', password: 'not-the-password' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).not.toContain('databaseUrl');
    const forgedToken = await bundle({ token: 'join_forged' });
    expect(forgedToken.status).toBeGreaterThanOrEqual(400);
    expect(forgedToken.body).not.toContain('databaseUrl');
    // a valid token works: the nodes know the client used HTTPS, from the proxy they trust
    const served = await bundle({ token: await joinToken() });
    expect(served.status, served.body).toBe(200);
    expect(served.json()).toHaveProperty('databaseUrl');
  });

  it('a client through nginx over HTTPS gets a Secure session cookie and HSTS', async () => {
    const session = await signInRaw(base, 'root', ROOT_PASSWORD, { ca });
    expect(session.sessionLine, 'a session cookie').toBeDefined();
    expect(session.sessionLine).toMatch(/;\s*Secure/i);
    expect(session.hsts).toMatch(HSTS);
    const page = await rawRequest(`${base}/api/health`, { ca });
    expect(page.headers['strict-transport-security']).toMatch(HSTS);
    // next-auth builds its URLs from the public origin nginx reports
    const providers = (await rawRequest(`${base}/api/auth/providers`, { ca })).json<{ credentials: { signinUrl: string } }>();
    expect(providers.credentials.signinUrl.startsWith(`${base}/`), providers.credentials.signinUrl).toBe(true);
    // and a write from the console's own HTTPS origin passes the Origin check
    const write = await rawRequest(`${base}/api/cluster/join-tokens`, {
      ca,
      headers: { cookie: session.cookie, origin: base },
      body: JSON.stringify({ ttlMinutes: 15 }),
    });
    expect(write.status, write.body).toBe(201);
    const crossSite = await rawRequest(`${base}/api/cluster/join-tokens`, {
      ca,
      headers: { cookie: session.cookie, origin: base.replace('https://', 'http://') },
      body: JSON.stringify({ ttlMinutes: 15 }),
    });
    expect(crossSite.status).toBe(403);
  });

  it('two clients behind nginx have separate sign-in limits and audit addresses, whatever X-Forwarded-For they send', async () => {
    const attacker = { ca, localAddress: '127.0.0.2' };
    for (let attempt = 0; attempt < 20; attempt += 1) {
      // the header names someone else; nginx reports the real peer and the nodes believe only that
      const answer = await rawRequest(`${base}/api/me`, {
        ...attacker,
        headers: { authorization: basicAuth(`guess-${attempt}`, 'password'), 'x-forwarded-for': '127.0.0.3' },
      });
      expect(answer.status).toBe(401);
    }
    const blocked = await rawRequest(`${base}/api/me`, { ...attacker, headers: { authorization: ROOT } });
    expect(blocked.status).toBe(429);
    expect(blocked.json<{ error: { message: string; code: string } }>().error.code).toBe('TOO_MANY_ATTEMPTS');
    // another client on the same proxy is not locked out with it
    const bystander = await rawRequest(`${base}/api/me`, { ca, localAddress: '127.0.0.3', headers: { authorization: ROOT } });
    expect(bystander.status, bystander.body).toBe(200);
    // and the audit log tells the clients apart
    for (const localAddress of ['127.0.0.3', '127.0.0.4']) {
      const write = await rawRequest(`${base}/api/cluster/join-tokens`, {
        ca,
        localAddress,
        headers: { authorization: ROOT },
        body: JSON.stringify({ ttlMinutes: 15 }),
      });
      expect(write.status, write.body).toBe(201);
    }
    await pollUntil(
      async () => {
        const { rows } = await withClient(databaseUrl, (client) =>
          client.query(
            `SELECT DISTINCT address FROM audit_entry WHERE path = '/api/cluster/join-tokens' AND address IN ('127.0.0.3', '127.0.0.4')`,
          ),
        );
        return rows.length === 2;
      },
      { what: 'audit entries from 127.0.0.3 and 127.0.0.4' },
    );
  });

  it('keeps serving across a failover, failing for no longer than the window', async () => {
    const failures: number[] = [];
    let served = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const at = Date.now();
        const ok = await rawRequest(`${base}/api/cluster`, { ca, headers: { authorization: ROOT } })
          .then((response) => response.status === 200)
          .catch(() => false);
        if (ok) served += 1;
        else failures.push(at);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await pollUntil(() => served > 20, { what: 'traffic through nginx' });
    nodes[0].killGroup('SIGKILL');
    await pollUntil(async () => (await health(nodes[1]))?.state === 'ACTIVE', { what: 'n2 to take over', timeoutMs: 10_000 });
    const servedAtTakeover = served;
    await pollUntil(() => served > servedAtTakeover + 20, { what: 'traffic after the failover' });
    running = false;
    await load;
    const failingForMs = failures.length === 0 ? 0 : failures[failures.length - 1] - failures[0];
    expect(failingForMs).toBeLessThanOrEqual(WINDOW_MS);
    // and through nginx the cluster now answers with n2 active
    const status = (await rawRequest(`${base}/api/cluster`, { ca, headers: { authorization: ROOT } })).json<{
      nodes: { name: string; state: string }[];
    }>();
    expect(status.nodes.find((node) => node.name === 'n2')?.state).toBe('ACTIVE');
  });
});
