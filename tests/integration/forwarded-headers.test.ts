/**
 * Nodes that trust no proxy (ORCH_TRUSTED_PROXIES unset), one serving HTTPS and HTTP on its port,
 * one plain HTTP only: forwarding headers from their clients earn nothing. A loopback client that sends X-Forwarded-*
 * (as a proxy on the same machine that nobody listed would) loses the loopback exemption and the
 * node says once which setting is missing; forged X-Forwarded-Proto and -Host reach neither the
 * cookie flags, nor HSTS, nor next-auth's URLs; HSTS is on direct HTTPS and never on plain HTTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { rawRequest, signInRaw } from '../helpers/https-request';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster } from '../helpers/cluster';

const ROOT = basicAuth('root', ROOT_PASSWORD);
// Strict-Transport-Security with a lifetime browsers keep
const HSTS = /^max-age=[1-9]\d{5,}$/;
let node: NodeProcess;
let plainNode: NodeProcess;
let version: string;
const forgedProxy = { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };

async function call(path: string, body: unknown, headers: Record<string, string> = {}, target = node) {
  return rawRequest(`${target.url}${path}`, { headers: { authorization: ROOT, ...headers }, body: JSON.stringify(body) });
}

async function joinToken(): Promise<string> {
  const answer = await call('/api/cluster/join-tokens', { ttlMinutes: 15 });
  expect(answer.status, answer.body).toBe(201);
  return answer.json<{ token: string }>().token;
}

const bundleRequest = (token: string) => ({
  node: { id: randomUUID(), name: 'intruder', url: 'https://intruder.example:3000', version },
  credentials: { token },
});

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  node = await startNode({ databaseUrl, name: 'A', env: { ORCH_TRUSTED_PROXIES: '' } });
  plainNode = await startNode({ databaseUrl, name: 'B', env: { ORCH_TRUSTED_PROXIES: '' } });
  // a self-signed certificate, served by A after a restart (B is not restarted: it stays plain HTTP)
  expect((await call('/api/config/certificate', { action: 'generate' })).status).toBe(201);
  const self = (await clusterStatus(node)).nodes[0];
  expect((await call(`/api/cluster/nodes/${self.id}/restart`, {})).status).toBe(200);
  await pollUntil(
    async () => {
      const info = (await rawRequest(`${node.url}/api/cluster/join-info`)).json<{
        fingerprint: string;
        clusterFingerprint: string;
      }>();
      return info.fingerprint !== info.clusterFingerprint;
    },
    { what: 'the node to serve HTTPS', timeoutMs: 30_000 },
  );
  version = (await rawRequest(`${node.url}/api/cluster/join-info`)).json<{ version: string }>().version;
});
afterAll(stopAllNodes);

describe('forwarding headers from a peer that is not a trusted proxy', () => {
  const secureUrl = () => node.url.replace('http://', 'https://');

  it('HSTS on every direct HTTPS response, never on plain HTTP', async () => {
    for (const path of ['/api/health', '/api/cluster/join-info', '/login']) {
      const secure = await rawRequest(`${secureUrl()}${path}`, { anyCertificate: true });
      expect(secure.headers['strict-transport-security'], path).toMatch(HSTS);
      const plain = await rawRequest(`${node.url}${path}`);
      expect(plain.status, path).toBeLessThan(400);
      expect(plain.headers['strict-transport-security'], path).toBeUndefined();
    }
    const signedIn = await signInRaw(secureUrl(), 'root', ROOT_PASSWORD, { anyCertificate: true });
    expect(signedIn.sessionLine).toMatch(/;\s*Secure/i);
  });

  it('a loopback client sending X-Forwarded-For without being trusted gets no join bundle over plain HTTP, and the node names the missing setting', async () => {
    const token = await joinToken();
    const proxied = await call('/api/cluster/join-bundle', bundleRequest(token), { 'x-forwarded-for': '203.0.113.5' });
    expect(proxied.status).toBe(308); // off to HTTPS, like any client that is not this machine itself
    expect(proxied.body).not.toContain('databaseUrl');
    await pollUntil(() => /not in ORCH_TRUSTED_PROXIES.*set ORCH_TRUSTED_PROXIES=127\.0\.0\.1/.test(node.output()), {
      what: 'the warning about ORCH_TRUSTED_PROXIES',
    });
    // the token was not spent, and a direct loopback client (the local CLI) still has its exemption
    const direct = await call('/api/cluster/join-bundle', bundleRequest(token));
    expect(direct.status, direct.body).toBe(200);
    expect(direct.json()).toHaveProperty('databaseUrl');
    // warned once, not once per request
    await call('/api/cluster/join-bundle', bundleRequest(token), { 'x-forwarded-for': '203.0.113.6' });
    expect(node.output().match(/not in ORCH_TRUSTED_PROXIES/g)).toHaveLength(1);
  });

  it('on a plain-HTTP node (behind a proxy on its machine that nobody listed), a loopback client with X-Forwarded-For gets no join bundle', async () => {
    const token = await joinToken();
    const proxied = await call('/api/cluster/join-bundle', bundleRequest(token), { 'x-forwarded-for': '203.0.113.5' }, plainNode);
    expect(proxied.status).toBe(403);
    expect(proxied.json<{ error: { message: string; code: string } }>().error.message).toMatch(/join over HTTPS/);
    const direct = await call('/api/cluster/join-bundle', bundleRequest(token), {}, plainNode);
    expect(direct.status, direct.body).toBe(200);
  });

  it('a forged X-Forwarded-Proto: https over plain HTTP earns no join bundle, no Secure cookie, no HSTS', async () => {
    for (const target of [node, plainNode]) {
      const bundle = await call(
        '/api/cluster/join-bundle',
        bundleRequest(await joinToken()),
        { 'x-forwarded-proto': 'https' },
        target,
      );
      expect(bundle.status).toBeGreaterThanOrEqual(300);
      expect(bundle.body).not.toContain('databaseUrl');
      // the health endpoints answer plain HTTP from anywhere: the header still changes nothing there
      const health = await rawRequest(`${target.url}/api/health`, { headers: forgedProxy });
      expect(health.headers['strict-transport-security']).toBeUndefined();
    }
    const session = await signInRaw(plainNode.url, 'root', ROOT_PASSWORD, { headers: forgedProxy });
    expect(session.sessionLine, 'a session cookie').toBeDefined();
    expect(session.sessionLine).not.toMatch(/;\s*Secure/i);
    expect(session.hsts).toBeUndefined();
  });

  it("a forged X-Forwarded-Host or -Proto reaches neither next-auth's URLs nor the Origin check", async () => {
    // over HTTPS the request is served (a client of this machine, without the loopback exemption), headers ignored
    const providers = await rawRequest(`${secureUrl()}/api/auth/providers`, {
      anyCertificate: true,
      headers: { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' },
    });
    expect(providers.json<{ credentials: { signinUrl: string } }>().credentials.signinUrl).toBe(
      `${secureUrl()}/api/auth/signin/credentials`,
    );
    const session = await signInRaw(node.url, 'root', ROOT_PASSWORD);
    expect(session.sessionLine).not.toMatch(/;\s*Secure/i);
    expect(session.hsts).toBeUndefined();
    const write = (base: string, origin: string, headers: Record<string, string> = {}) =>
      rawRequest(`${base}/api/cluster/join-tokens`, {
        anyCertificate: true,
        headers: { cookie: session.cookie, origin, ...headers },
        body: JSON.stringify({ ttlMinutes: 15 }),
      });
    // a page on evil.example cannot pass for us by naming itself in the forwarding headers
    const evil = await write(secureUrl(), 'https://evil.example', {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    });
    expect(evil.status).toBe(403);
    expect(evil.json<{ error: { message: string; code: string } }>().error.message).toMatch(/Origin does not match/);
    // nor an https:// page for our http:// origin, or the other way round
    expect((await write(node.url, secureUrl())).status).toBe(403);
    expect((await write(secureUrl(), node.url)).status).toBe(403);
    expect((await write(node.url, node.url)).status).toBe(201);
    expect((await write(secureUrl(), secureUrl())).status).toBe(201);
  });
});
