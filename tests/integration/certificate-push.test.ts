/**
 * A certificate travels with a push: generated on A, pushed and reset, B serves exactly that
 * certificate over HTTPS (checked from a TLS client). With the per-node option B keeps its own
 * certificate through later pushes, and still counts as in sync.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TCertificateView } from '@/lib/tls/certificate-view';
import type { TMemberView } from '@/lib/cluster/status';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, seedCluster, startNodes } from '../helpers/cluster';
import { apiOk } from '../helpers/http';

const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
let nodes: NodeProcess[];

const post = <T>(node: NodeProcess, route: string, body: unknown, method = 'POST'): Promise<T> =>
  apiOk<T>(node, route, { method, body });

function servedFingerprint(node: NodeProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: node.port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

const members = async (): Promise<TMemberView[]> => (await clusterStatus(nodes[0])).nodes;

async function pushAndReset(): Promise<void> {
  const result = await runOrchctl(['push', '--url', nodes[0].url, '--reset', '--timeout', '120'], AS_ROOT);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  await pollUntil(async () => (await members()).every((node) => node.syncState === 'IN_SYNC'), { what: 'both in sync' });
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await members()).every((node) => node.activeFingerprint), { what: 'both nodes to report' });
});
afterAll(stopAllNodes);

describe('pushing a certificate', () => {
  it('a certificate generated on A and pushed is served by B over HTTPS after its restart', async () => {
    const generated = await post<TCertificateView>(nodes[0], '/api/config/certificate', { action: 'generate' });
    const fingerprint = generated.onDisk.state === 'present' ? generated.onDisk.certificate.fingerprint : '';
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await pushAndReset();
    expect(await servedFingerprint(nodes[1])).toBe(fingerprint);
    expect(await servedFingerprint(nodes[0])).toBe(fingerprint);
  });

  it('with the per-node option, B keeps its own certificate through a push and stays in sync', async () => {
    await post(nodes[1], '/api/config/certificate', { keepOwnCertificate: true }, 'PUT');
    const own = await post<TCertificateView>(nodes[1], '/api/config/certificate', { action: 'generate' });
    const ownFingerprint = own.onDisk.state === 'present' ? own.onDisk.certificate.fingerprint : '';
    const replaced = await post<TCertificateView>(nodes[0], '/api/config/certificate', { action: 'generate' });
    const clusterFingerprint = replaced.onDisk.state === 'present' ? replaced.onDisk.certificate.fingerprint : '';
    expect(ownFingerprint).not.toBe(clusterFingerprint);
    await pushAndReset();
    expect(await servedFingerprint(nodes[0])).toBe(clusterFingerprint);
    expect(await servedFingerprint(nodes[1])).toBe(ownFingerprint);
    const b = (await members()).find((node) => node.name === 'n2')!;
    expect([b.syncState, b.keepsOwnCertificate]).toEqual(['IN_SYNC', true]);
  });
});
