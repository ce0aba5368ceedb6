/**
 * HTTPS on a real node (on its built-in database): a certificate generated through the API is
 * written to the data directory but not served until the node restarts; after the restart a TLS
 * client on the node's port sees exactly that certificate, HTTPS answers, and plain HTTP from
 * loopback still works. A mismatched import is refused naming privateKey and changes nothing;
 * no answer ever carries the private key.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFiles } from '@/lib/tls/certificate-files';
import type { TCertificateView } from '@/lib/tls/certificate-view';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

const root = basicAuth('root', ROOT_PASSWORD);
const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];
const NAME = 'tls-node';

let node: NodeProcess;

type TAnswerJson = TCertificateView & { error: { code: string; field?: string; message: string } };

async function send(method: string, body?: unknown, auth = root): Promise<{ status: number; text: string; json: TAnswerJson }> {
  const response = await fetch(`${node.url}/api/config/certificate`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(text).not.toContain('PRIVATE KEY');
  return { status: response.status, text, json: JSON.parse(text) };
}

async function certificateView(): Promise<TCertificateView> {
  const answer = await send('GET');
  expect(answer.status).toBe(200);
  return answer.json as TCertificateView;
}

/** The certificate a TLS client sees on the node's port (rejected handshake → the error). */
function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}

function httpsGet(port: number, pathname: string): Promise<{ status: number; body: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: pathname, rejectUnauthorized: false, servername: 'localhost' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: res.headers['set-cookie'] ?? [] }));
      })
      .on('error', reject);
  });
}

async function filesOnDisk(): Promise<{ certificate: string; privateKey: string }> {
  const files = certificateFiles(node.dataDir);
  return { certificate: await readFile(files.certificate, 'utf8'), privateKey: await readFile(files.privateKey, 'utf8') };
}

beforeAll(async () => {
  node = await startNode({ name: NAME });
});
afterAll(stopAllNodes);

describe('the HTTPS certificate of a node', () => {
  let generated: string;

  it('starts without one, serving plain HTTP', async () => {
    const view = await certificateView();
    expect(view).toEqual({
      served: { state: 'http' },
      onDisk: { state: 'none' },
      keepOwnCertificate: false,
      restartPending: false,
    });
    await expect(peerFingerprint(node.port)).rejects.toThrow();
  });

  it('generates a certificate for the members into the data directory; the running node still serves plain HTTP', async () => {
    const answer = await send('POST', { action: 'generate' });
    expect(answer.status, answer.text).toBe(201);
    const view = answer.json as TCertificateView;
    expect(view.served).toEqual({ state: 'http' });
    expect(view.restartPending).toBe(true);
    if (view.onDisk.state !== 'present') throw new Error(`no certificate on disk: ${answer.text}`);
    generated = view.onDisk.certificate.fingerprint;
    expect(view.onDisk.certificate.subject).toMatch(/^CN=/);
    expect(view.onDisk.certificate.sans).toEqual(expect.arrayContaining([NAME, 'localhost', '127.0.0.1', '::1']));
    expect(view.onDisk.certificate).toMatchObject({ expiresSoon: false, expired: false });
    expect(view.onDisk.certificate.daysLeft).toBeGreaterThan(800);

    expect((await filesOnDisk()).privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    await expect(peerFingerprint(node.port)).rejects.toThrow();
    expect(await certificateView()).toMatchObject({ served: { state: 'http' }, restartPending: true });
  });

  it("refuses an import whose key is not the certificate's, naming privateKey, and changes nothing", async () => {
    const before = await filesOnDisk();
    const [a, b] = await Promise.all([
      generateCertificate({ commonName: 'a', hosts: ['localhost'] }),
      generateCertificate({ commonName: 'b', hosts: ['localhost'] }),
    ]);
    const refused = await send('POST', { action: 'import', certificate: a.certificate, privateKey: b.privateKey });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'VALIDATION', field: 'privateKey' });
    expect(refused.json.error.message).toMatch(/privateKey does not belong to the certificate/);

    const garbage = await send('POST', { action: 'import', certificate: 'hello', privateKey: a.privateKey });
    expect(garbage).toMatchObject({ status: 400, json: { error: { field: 'certificate' } } });

    // the same refusal from the command line: one line, non-zero exit
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-tls-cli-'));
    await writeFile(path.join(dir, 'cert.pem'), a.certificate);
    await writeFile(path.join(dir, 'key.pem'), b.privateKey);
    const cli = await runOrchctl([
      'certificate',
      'import',
      '--url',
      node.url,
      ...asRoot,
      '--cert',
      path.join(dir, 'cert.pem'),
      '--key',
      path.join(dir, 'key.pem'),
    ]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr.trim()).toMatch(/^orchctl: privateKey does not belong to the certificate .*\(HTTP 400\)$/);

    expect(await filesOnDisk()).toEqual(before);
    expect(await certificateView()).toMatchObject({ onDisk: { state: 'present', certificate: { fingerprint: generated } } });
  });

  it('lets a viewer see the certificate but not change it', async () => {
    const created = await fetch(`${node.url}/api/users`, {
      method: 'POST',
      headers: { authorization: root, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cert-viewer', role: 'viewer', password: 'viewer-password' }),
    });
    expect(created.status).toBe(201);
    const viewer = basicAuth('cert-viewer', 'viewer-password');
    expect((await send('GET', undefined, viewer)).status).toBe(200);
    expect((await send('POST', { action: 'generate' }, viewer)).status).toBe(403);
    expect((await send('PUT', { keepOwnCertificate: true }, viewer)).status).toBe(403);
  });

  it("keeps the keep-own-certificate option in the node's local.json", async () => {
    expect(await send('PUT', { keepOwnCertificate: true })).toMatchObject({ status: 200, json: { keepOwnCertificate: true } });
    expect(JSON.parse(await readFile(path.join(node.dataDir, 'config', 'local.json'), 'utf8'))).toEqual({
      keepOwnCertificate: true,
    });
    const shown = await runOrchctl(['certificate', 'show', '--url', node.url, ...asRoot, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      keepOwnCertificate: true,
      onDisk: { certificate: { fingerprint: generated } },
    });
    const off = await runOrchctl(['certificate', 'keep-own', 'off', '--url', node.url, ...asRoot]);
    expect(off.code, off.stderr).toBe(0);
    expect((await certificateView()).keepOwnCertificate).toBe(false);
    expect((await send('PUT', { keepOwnCertificate: 'yes' })).json.error).toMatchObject({
      code: 'VALIDATION',
      field: 'keepOwnCertificate',
    });
  });

  it('serves exactly the generated certificate over HTTPS after a restart, and plain HTTP from loopback still', async () => {
    const { port, dataDir } = node;
    await node.stop();
    node = await startNode({ dataDir, port, name: NAME });

    expect(await peerFingerprint(port)).toBe(generated);
    const health = await httpsGet(port, '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toHaveProperty('state');

    const plain = await fetch(`${node.url}/api/cluster`, { headers: { authorization: root } });
    expect(plain.status).toBe(200);
    const view = await certificateView();
    expect(view).toMatchObject({ served: { state: 'https', certificate: { fingerprint: generated } }, restartPending: false });

    // session cookies are Secure over HTTPS (the browser never sends them back over plain HTTP), not over HTTP
    const overHttps = await httpsGet(port, '/api/auth/csrf');
    expect(overHttps.cookies.find((cookie) => cookie.startsWith('next-auth.csrf-token='))).toMatch(/;\s*Secure/i);
    const overHttp = (await fetch(`${node.url}/api/auth/csrf`)).headers.getSetCookie();
    expect(overHttp.find((cookie) => cookie.startsWith('next-auth.csrf-token='))).not.toMatch(/;\s*Secure/i);

    const shown = await runOrchctl(['certificate', 'show', '--url', node.url, ...asRoot]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`fingerprint  ${generated}`);
    expect(shown.stdout).toMatch(/^served now: HTTPS/);
  });
});
