/**
 * A network cut between the active node and the database (not a kill): a TCP proxy between
 * them drops every byte. The cut node fences itself, the other takes over, never two active
 * at once by the nodes' own records, and when the cut heals the cut node comes back as standby.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, health, maxBelievedActive, seedCluster, stateOf } from '../helpers/cluster';
import { TcpProxy } from '../helpers/tcp-proxy';

let proxy: TcpProxy;
let cutNode: NodeProcess;
let other: NodeProcess;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  const url = new URL(databaseUrl);
  proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port) });
  const proxied = new URL(databaseUrl);
  proxied.port = String(proxy.port);
  cutNode = await startNode({ databaseUrl: proxied.toString(), name: 'cut' });
  await pollUntil(async () => (await health(cutNode))?.state === 'ACTIVE', { what: 'the proxied node to be active' });
  other = await startNode({ databaseUrl, name: 'other' });
  await pollUntil(async () => (await health(other))?.state === 'STANDBY', { what: 'the other node to stand by' });
});
afterAll(async () => {
  await stopAllNodes();
  await proxy?.close();
});

describe('a network cut between the active node and the database', () => {
  it('the cut node fences itself and the other takes over within the window, never both active', async () => {
    const cutAt = Date.now();
    proxy.cut();
    await pollUntil(async () => (await health(cutNode))?.state !== 'ACTIVE', {
      what: 'the cut node to fence itself',
      timeoutMs: 10_000,
    });
    const fencedAfterMs = Date.now() - cutAt;
    await pollUntil(async () => (await health(other))?.state === 'ACTIVE', {
      what: 'the other node to take over',
      timeoutMs: 10_000,
    });
    const takeoverAfterMs = Date.now() - cutAt;
    // window 2 s: the cut node stops by window − interval; the other claims once the lease ran out
    expect(fencedAfterMs).toBeLessThan(2_000 + 500);
    expect(takeoverAfterMs).toBeGreaterThanOrEqual(fencedAfterMs);
    expect((await health(cutNode))?.state).toBe('FENCED');
    expect(maxBelievedActive([cutNode, other])).toBe(1);
  });

  it('when the cut heals, the cut node comes back as standby and the other stays active', async () => {
    proxy.heal();
    await pollUntil(async () => (await health(cutNode))?.state === 'STANDBY', {
      what: 'the cut node to stand by again',
      timeoutMs: 20_000,
    });
    const status = await clusterStatus(other);
    expect([stateOf(status, 'cut'), stateOf(status, 'other')]).toEqual(['STANDBY', 'ACTIVE']);
    expect(maxBelievedActive([cutNode, other])).toBe(1);
  });
});
