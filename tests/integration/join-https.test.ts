/**
 * Joining through a seed that serves HTTPS with a self-signed certificate: the joining node pins
 * the certificate by the fingerprint from the seed's Join information, on the TLS connection
 * itself; without a fingerprint it refuses to send credentials to a certificate it cannot trust.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, health, seedCluster } from '../helpers/cluster';

const B_ROOT = 'b-local-root-password';
let seed: NodeProcess;
let joiner: NodeProcess;
const cluster = basicAuth('root', ROOT_PASSWORD);

async function call(node: NodeProcess, path: string, auth: string, body: unknown = {}) {
  const response = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [seed, joiner] = await Promise.all([
    startNode({ databaseUrl, name: 'A' }),
    startNode({ name: 'B', env: { ORCH_ROOT_PASSWORD: B_ROOT } }),
  ]);
  // A gets a self-signed certificate and restarts to serve it
  expect((await call(seed, '/api/config/certificate', cluster, { action: 'generate' })).status).toBe(201);
  const a = (await clusterStatus(seed)).nodes[0];
  expect((await call(seed, `/api/cluster/nodes/${a.id}/restart`, cluster)).status).toBe(200);
  await pollUntil(
    async () => {
      const info = await (await fetch(`${seed.url}/api/cluster/join-info`)).json();
      return info.fingerprint !== info.clusterFingerprint;
    },
    { what: 'A to serve HTTPS', timeoutMs: 30_000 },
  );
});
afterAll(stopAllNodes);

describe('joining over HTTPS', () => {
  const httpsSeed = () => seed.url.replace('http://', 'https://');

  it('refuses to send credentials to a certificate this machine does not trust, and asks for the fingerprint', async () => {
    const answer = await call(joiner, '/api/cluster/join-preview', basicAuth('root', B_ROOT), {
      seedUrl: httpsSeed(),
      user: 'root',
      password: ROOT_PASSWORD,
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ field: 'fingerprint' });
    expect(answer.body.error.message).toMatch(/not trusted by this machine/);
    expect((await health(joiner))?.clusterId).toBeNull();
  });

  it('refuses a fingerprint that is not the served certificate', async () => {
    const { body } = await call(seed, '/api/cluster/join-tokens', cluster, { ttlMinutes: 15 });
    const answer = await call(joiner, '/api/cluster/join-preview', basicAuth('root', B_ROOT), {
      seedUrl: httpsSeed(),
      token: body.token,
      fingerprint: body.fingerprint.replace(/^../, '00'),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toMatch(/^fingerprint mismatch: the seed serves a certificate/);
    expect((await health(joiner))?.clusterId).toBeNull();
  });

  it('joins with a token and the fingerprint of the served certificate, after confirming the certificate it was shown', async () => {
    const { body } = await call(seed, '/api/cluster/join-tokens', cluster, { ttlMinutes: 15 });
    const preview = await call(joiner, '/api/cluster/join-preview', basicAuth('root', B_ROOT), {
      seedUrl: httpsSeed(),
      token: body.token,
      fingerprint: body.fingerprint,
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    // the fingerprint shown is the certificate the seed served on the connection, not the cluster's
    expect(preview.body.fingerprint).toBe(body.fingerprint);
    expect(preview.body.clusterFingerprint).not.toBe(body.fingerprint);
    const { previewId, clusterId, clusterName, databaseHost, fingerprint } = preview.body;
    const otherCertificate = await call(joiner, '/api/cluster/join', basicAuth('root', B_ROOT), {
      previewId,
      confirmed: { clusterId, clusterName, databaseHost, fingerprint: preview.body.clusterFingerprint },
    });
    expect(otherCertificate.status).toBe(409);
    expect(otherCertificate.body.error.field).toBe('confirmed.fingerprint');
    expect((await health(joiner))?.clusterId).toBeNull();
    // the token was spent by the preview: a new one for the real join
    const second = (await call(seed, '/api/cluster/join-tokens', cluster, { ttlMinutes: 15 })).body;
    const again = await call(joiner, '/api/cluster/join-preview', basicAuth('root', B_ROOT), {
      seedUrl: httpsSeed(),
      token: second.token,
      fingerprint: second.fingerprint,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const answer = await call(joiner, '/api/cluster/join', basicAuth('root', B_ROOT), {
      previewId: again.body.previewId,
      confirmed: { clusterId, clusterName, databaseHost, fingerprint: fingerprint.replaceAll(':', '').toLowerCase() },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    await pollUntil(async () => (await health(joiner))?.clusterId, { what: 'B to come up in the cluster', timeoutMs: 30_000 });
    await pollUntil(async () => (await clusterStatus(seed)).nodes.some((node) => node.name === 'B' && node.state === 'STANDBY'), {
      what: 'B standby',
    });
  });
});
