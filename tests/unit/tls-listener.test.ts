/**
 * The node's listener on real sockets (no node, no database): without a certificate plain HTTP;
 * with one, HTTP and HTTPS on one port, the TLS client sees the certificate from the data
 * directory, plain HTTP from another machine is redirected except /api/health, and close()
 * finishes even with idle and silent connections open. As the front door, it classifies each
 * request (what the app sees in the x-orch-* and X-Forwarded-* headers) and sends HSTS only over
 * HTTPS.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@/lib/node/ports';
import { certificateFiles, tlsDir, writeCertificateFiles } from '@/lib/tls/certificate-files';
import { describeCertificate } from '@/lib/tls/describe-certificate';
import { generateCertificate, type TCertificatePair } from '@/lib/tls/generate-certificate';
import { isLoopbackAddress, trustedProxySet } from '@/lib/auth/client-address';
import { createNodeListener, HSTS_VALUE, isHealthPath, type TNodeListener } from '@/lib/tls/listener';
import { servedCertificate } from '@/lib/tls/served-certificate';

let pair: TCertificatePair;
let other: TCertificatePair;
const open: TNodeListener[] = [];

beforeAll(async () => {
  [pair, other] = await Promise.all([
    generateCertificate({ commonName: 'unit', hosts: ['localhost', '127.0.0.1'] }),
    generateCertificate({ commonName: 'other', hosts: ['localhost'] }),
  ]);
}, 60_000);

afterEach(async () => {
  await Promise.all(
    open.splice(0).map(
      (listener) =>
        new Promise((resolve) => {
          listener.close(resolve);
          listener.closeAllConnections();
        }),
    ),
  );
});

/** Answers "<protocol> <method> <path> <body bytes>". */
function echo(req: http.IncomingMessage, res: http.ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => res.end(`${(req.socket as tls.TLSSocket).encrypted ? 'https' : 'http'} ${req.method} ${req.url} ${bytes}`));
}

/** Answers with what the app would see of the request's origin. */
function verdict(req: http.IncomingMessage, res: http.ServerResponse): void {
  const pick = (names: string[]) => Object.fromEntries(names.map((name) => [name, req.headers[name]]));
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify(
      pick([
        'x-orch-connection',
        'x-orch-client-address',
        'x-orch-protocol',
        'x-orch-host',
        'x-forwarded-for',
        'x-forwarded-proto',
        'x-forwarded-host',
        'x-real-ip',
        'forwarded',
      ]),
    ),
  );
}

async function start(
  dataDir: string,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = echo,
  trusted: string[] = [],
): Promise<number> {
  const listener = await createNodeListener(dataDir, handler, { trustedProxies: trustedProxySet(trusted) });
  const port = await findFreePort();
  await new Promise<void>((resolve) => listener.listen(port, resolve));
  open.push(listener);
  return port;
}

type TAnswer = { status: number; body: string; location?: string; hsts?: string };

function request(
  client: typeof http | typeof https,
  options: { host?: string; port: number; path?: string; body?: string; agent?: http.Agent; headers?: Record<string, string> },
): Promise<TAnswer> {
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port,
        path: options.path ?? '/',
        method: options.body ? 'POST' : 'GET',
        agent: options.agent,
        headers: options.headers,
        rejectUnauthorized: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            location: res.headers.location,
            hsts: res.headers['strict-transport-security'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function peerFingerprint(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

const dataDirWith = async (files?: TCertificatePair) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-listener-'));
  if (files) await writeCertificateFiles(dataDir, files);
  return dataDir;
};

// an address of this machine that is not loopback: connecting to it makes us a "remote" peer
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('createNodeListener', () => {
  it('serves plain HTTP without a certificate', async () => {
    const port = await start(await dataDirWith());
    expect(servedCertificate()).toEqual({ state: 'http' });
    expect(await request(http, { port, path: '/x' })).toMatchObject({ status: 200, body: 'http GET /x 0' });
    await expect(peerFingerprint(port)).rejects.toThrow();
  });

  it('serves HTTPS and loopback HTTP on one port with the certificate from the data directory', async () => {
    const port = await start(await dataDirWith(pair));
    const fingerprint = describeCertificate(pair.certificate).fingerprint;
    expect(servedCertificate()).toMatchObject({ state: 'https', certificate: { fingerprint, subject: 'CN=unit' } });
    expect(await peerFingerprint(port)).toBe(fingerprint);

    const body = 'x'.repeat(3 * 1024 * 1024);
    const plainAgent = new http.Agent({ keepAlive: true });
    const secureAgent = new https.Agent({ keepAlive: true });
    for (let round = 0; round < 3; round += 1) {
      expect(await request(http, { port, path: '/a?b=1', agent: plainAgent })).toMatchObject({
        status: 200,
        body: 'http GET /a?b=1 0',
      });
      expect(await request(http, { port, body, agent: plainAgent })).toMatchObject({
        status: 200,
        body: `http POST / ${body.length}`,
      });
      expect(await request(https, { port, path: '/api/cluster', agent: secureAgent })).toMatchObject({
        status: 200,
        body: 'https GET /api/cluster 0',
      });
      expect(await request(https, { port, body, agent: secureAgent })).toMatchObject({
        status: 200,
        body: `https POST / ${body.length}`,
      });
    }
    plainAgent.destroy();
    secureAgent.destroy();
  });

  it('redirects plain HTTP from another address to HTTPS, except the health endpoints', async () => {
    // the request must come from an address that is not loopback: this machine's own network address
    expect(externalAddress, 'this test needs a network interface with a non-loopback IPv4 address').toBeDefined();
    const port = await start(await dataDirWith(pair));
    const host = externalAddress!;
    expect(await request(http, { host, port, path: '/cluster?x=1' })).toMatchObject({
      status: 308,
      location: `https://${host}:${port}/cluster?x=1`,
    });
    expect(await request(http, { host, port, path: '/api/users', body: '{}' })).toMatchObject({ status: 308 });
    expect(await request(http, { host, port, path: '/api/health' })).toMatchObject({
      status: 200,
      body: 'http GET /api/health 0',
    });
    expect(await request(http, { host, port, path: '/api/health/active' })).toMatchObject({ status: 200 });
    expect(await request(https, { host, port, path: '/cluster' })).toMatchObject({ status: 200, body: 'https GET /cluster 0' });
  });

  it('serves plain HTTP, and says why, when the files on disk do not make a pair', async () => {
    const dataDir = await dataDirWith();
    await mkdir(tlsDir(dataDir), { recursive: true });
    await writeFile(certificateFiles(dataDir).certificate, pair.certificate);
    await writeFile(certificateFiles(dataDir).privateKey, other.privateKey);
    const port = await start(dataDir);
    expect(servedCertificate()).toMatchObject({ state: 'unusable', problem: expect.stringMatching(/does not belong/) });
    expect(await request(http, { port })).toMatchObject({ status: 200 });
  });

  it('closes with idle keep-alive, TLS and silent connections open', async () => {
    const dataDir = await dataDirWith(pair);
    const listener = await createNodeListener(dataDir, echo, { trustedProxies: new Set() });
    const port = await findFreePort();
    await new Promise<void>((resolve) => listener.listen(port, resolve));
    const plainAgent = new http.Agent({ keepAlive: true });
    const secureAgent = new https.Agent({ keepAlive: true });
    await request(http, { port, agent: plainAgent });
    await request(https, { port, agent: secureAgent });
    const silent = net.connect(port, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((resolve) => silent.once('connect', resolve));
    const closed = new Promise((resolve) => listener.close(resolve));
    listener.closeAllConnections();
    await closed;
    await new Promise((resolve) => (silent.destroyed ? resolve(undefined) : silent.once('close', resolve)));
    plainAgent.destroy();
    secureAgent.destroy();
  });

  it('tells loopback peers and health paths apart', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', undefined]) expect(isLoopbackAddress(address)).toBe(false);
    expect(['/api/health', '/api/health?x', '/api/health/active'].map(isHealthPath)).toEqual([true, true, true]);
    expect(['/api/healthz', '/api/cluster', '/'].map(isHealthPath)).toEqual([false, false, false]);
  });
});

describe('the front door', () => {
  const json = (answer: TAnswer) => JSON.parse(answer.body) as Record<string, string | undefined>;

  it('sends HSTS on every HTTPS response and never on plain HTTP', async () => {
    const port = await start(await dataDirWith(pair), verdict);
    expect((await request(https, { port, path: '/cluster' })).hsts).toBe(HSTS_VALUE);
    expect((await request(https, { port, path: '/api/health' })).hsts).toBe(HSTS_VALUE);
    const plain = await request(http, { port, path: '/cluster' });
    expect(plain.status).toBe(200);
    expect(plain.hsts).toBeUndefined();
    // a client cannot talk its way into HSTS (or Secure cookies) with a forged X-Forwarded-Proto
    const forged = await request(http, { port, path: '/cluster', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.hsts).toBeUndefined();
    const withoutCertificate = await start(await dataDirWith(), verdict);
    expect((await request(http, { port: withoutCertificate })).hsts).toBeUndefined();
  });

  it('replaces the forwarding headers of an untrusted peer with what it decided', async () => {
    const port = await start(await dataDirWith(pair), verdict);
    const forged = {
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-real-ip': '198.51.100.8',
      forwarded: 'for=198.51.100.9',
    };
    expect(
      json(
        await request(https, {
          port,
          path: '/api/health',
          headers: { ...forged, 'x-orch-connection': 'loopback', 'x-orch-host': 'evil.example' },
        }),
      ),
    ).toEqual({
      'x-orch-connection': 'proxied',
      'x-orch-client-address': '127.0.0.1',
      'x-orch-protocol': 'https',
      'x-orch-host': `127.0.0.1:${port}`,
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': `127.0.0.1:${port}`,
    });
    expect(
      json(
        await request(http, {
          port,
          path: '/api/health',
          headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
        }),
      ),
    ).toMatchObject({
      'x-orch-protocol': 'http',
      'x-orch-host': `127.0.0.1:${port}`,
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${port}`,
    });
    expect(json(await request(http, { port, path: '/x', headers: { 'x-orch-connection': 'proxied' } }))).toMatchObject({
      'x-orch-connection': 'loopback',
    });
  });

  it('redirects a loopback client that sends X-Forwarded-For without being a trusted proxy, to its own Host', async () => {
    const port = await start(await dataDirWith(pair), verdict);
    // plain HTTP from loopback is the local CLI's exemption; through a proxy it is anyone's request
    expect(
      await request(http, { port, path: '/api/cluster/join-bundle', body: '{}', headers: { 'x-forwarded-for': '203.0.113.5' } }),
    ).toMatchObject({
      status: 308,
      location: `https://127.0.0.1:${port}/api/cluster/join-bundle`,
    });
    expect(await request(http, { port, path: '/cluster', headers: { 'x-forwarded-host': 'evil.example' } })).toMatchObject({
      status: 308,
      location: `https://127.0.0.1:${port}/cluster`,
    });
    expect(await request(http, { port, path: '/api/health', headers: { 'x-forwarded-for': '203.0.113.5' } })).toMatchObject({
      status: 200,
    });
  });

  it('behind a trusted proxy, takes the client, protocol and host from its headers', async () => {
    expect(externalAddress, 'this test needs a network interface with a non-loopback IPv4 address').toBeDefined();
    const host = externalAddress!;
    const port = await start(await dataDirWith(pair), verdict, [host]);
    const proxied = {
      'x-forwarded-for': '127.0.0.1, 198.51.100.7',
      'x-forwarded-host': 'console.example',
      host: 'node-1.internal',
    };
    // the proxy received it over HTTPS and passes it on over plain HTTP: served, as HTTPS
    const secure = await request(http, { host, port, path: '/cluster', headers: { ...proxied, 'x-forwarded-proto': 'https' } });
    expect(secure).toMatchObject({ status: 200, hsts: HSTS_VALUE });
    expect(json(secure)).toEqual({
      'x-orch-connection': 'proxied',
      'x-orch-client-address': '198.51.100.7',
      'x-orch-protocol': 'https',
      'x-orch-host': 'console.example',
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'console.example',
    });
    // the proxy received it over plain HTTP: off to HTTPS at the name the client used
    expect(
      await request(http, { host, port, path: '/cluster', headers: { ...proxied, 'x-forwarded-proto': 'http' } }),
    ).toMatchObject({
      status: 308,
      location: 'https://console.example/cluster',
      hsts: undefined,
    });
    // a proxy, even trusted, never makes a request "loopback", whatever address it names
    const fromLoopback = await request(https, { host, port, path: '/x', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(json(fromLoopback)).toMatchObject({ 'x-orch-connection': 'proxied', 'x-orch-client-address': '127.0.0.1' });
  });
});
