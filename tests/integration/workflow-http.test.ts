/**
 * The HTTP element against a loopback HTTPS receiver with a test CA, which records one effect per
 * Idempotency-Key. Before the CA is trusted the call fails with an error that says so; once it is
 * added and pushed, kill -9 of the node in the middle of a slow call: the run completes on the
 * other node, which called again with the same key, and the receiver recorded one effect.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase } from '../helpers/database';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { makeTestCa, startIdempotentReceiver } from '../helpers/receivers';
import { api, eventsOf, getRun, importDefinition, nodeIdOf, startRun, waitForStatus } from '../helpers/workflows';

const CALL = {
  name: 'Call',
  inputs: [{ name: 'target', type: 'string' }],
  elements: [
    {
      id: 'call',
      type: 'http',
      method: 'POST',
      url: 'target',
      headers: { 'x-run-label': '"orch"' },
      body: '"payload"',
      timeoutSeconds: 120,
      output: 'answer',
    },
    { id: 'done', type: 'end' },
  ],
};

let databaseUrl: string;
let nodes: NodeProcess[];
let receiver: Awaited<ReturnType<typeof startIdempotentReceiver>>;
let caPem: string;

beforeAll(async () => {
  const tls = await makeTestCa();
  caPem = tls.caPem;
  receiver = await startIdempotentReceiver(tls);
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await activeNodes(nodes)).length === 1, { what: 'one active node' });
  await importDefinition(nodes[0], CALL);
}, 180_000);

afterAll(async () => {
  await stopAllNodes();
  await receiver?.close();
});

describe('the HTTP element', () => {
  it('refuses an untrusted certificate with a clear error, before the CA is trusted', async () => {
    const runId = await startRun(nodes[0], 'Call', { target: `${receiver.url}/effect` });
    await waitForStatus(databaseUrl, [runId], 'FAILED');
    const run = await getRun(nodes[0], runId);
    expect(run.error).toContain('element "call": the certificate of 127.0.0.1');
    expect(run.error).toContain('is not trusted');
    expect(run.error).toContain('trusted CA certificates');
    expect(receiver.effects).toHaveLength(0);
    // a PEM that is not a CA is refused, naming the field
    const refused = await api<{ error: { field: string; message: string } }>(nodes[0], '/api/config/trusted-cas', {
      method: 'POST',
      body: { name: 'not-a-ca', pem: 'hello' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('pem');
  });

  it(
    'after the CA is pushed, survives kill -9 during a slow call with one effect at the receiver',
    { timeout: 240_000 },
    async () => {
      const added = await api(nodes[0], '/api/config/trusted-cas', { method: 'POST', body: { name: 'test-ca', pem: caPem } });
      expect(added.status).toBe(201);
      const pushed = await api(nodes[0], '/api/config/push', { method: 'POST', body: {} });
      expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
      await pollUntil(() => nodes.every((node) => existsSync(path.join(node.dataDir, 'config', 'trusted-cas.json'))), {
        what: 'the CA on every node',
      });

      const [first] = await activeNodes(nodes);
      const second = nodes.find((node) => node !== first)!;
      const runId = await startRun(first, 'Call', { target: `${receiver.url}/effect?delayMs=600000` });
      const key = `${runId}/call`;
      await pollUntil(() => receiver.requests.some((request) => request.key === key), {
        what: 'the slow call to reach the receiver',
      });
      first.killGroup('SIGKILL');
      await first.exited;

      await waitForStatus(databaseUrl, [runId], 'COMPLETED', 90_000);
      const run = await getRun(second, runId);
      expect(receiver.effects.filter((effect) => effect.key === key)).toHaveLength(1);
      expect(receiver.requests.filter((request) => request.key === key).length).toBeGreaterThanOrEqual(2);
      expect(receiver.effects.find((effect) => effect.key === key)?.body).toBe('payload');
      expect(run.variables.answer).toMatchObject({ status: 200, body: { key, effect: expect.any(Number) } });
      // the call ran again on the other node, as attempt 2 of the same element
      const events = await eventsOf(databaseUrl, runId);
      const calls = events.filter((event) => event.kind === 'ELEMENT' && event.element_id === 'call');
      expect(calls.map((event) => [event.node_id, event.attempt])).toEqual([
        [nodeIdOf(first), 1],
        [nodeIdOf(second), 2],
      ]);
    },
  );
});
