/**
 * Every member's system log from any member: node n1 reads n2's file through n2's advertised
 * address with a short-lived peer token; a forged or misdirected token is refused; a dead member
 * is reported as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePeerToken } from '@/lib/logs/peer-token';
import { appendSystemLog } from '@/lib/workflow/system-log';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster, startNodes } from '../helpers/cluster';

let nodes: NodeProcess[];
let databaseUrl: string;
const ids: string[] = [];
// the row lib/auth/bootstrap.ts keeps the cluster's shared secret in
const AUTH_SECRET = 'auth';

const systemLog = (node: NodeProcess, query: string, authorization = ROOT) =>
  fetch(`${node.url}/api/logs/system?${query}`, { headers: { authorization } }).then(async (response) => ({
    status: response.status,
    body: await response.json(),
  }));

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  for (const node of nodes) ids.push((await pollUntil(() => health(node), { what: 'health' })).nodeId as string);
  await appendSystemLog(nodes[1].dataDir, { level: 'warn', runId: null, message: 'written on n2 only' });
  await appendSystemLog(nodes[0].dataDir, { level: 'info', runId: null, message: 'written on n1 only' });
});
afterAll(stopAllNodes);

describe('system logs across members', () => {
  it("reads another member's log through that member", async () => {
    const remote = await systemLog(nodes[0], `lines=50&node=${ids[1]}`);
    expect(remote.status).toBe(200);
    expect(remote.body.node).toEqual({ id: ids[1], name: 'n2' });
    expect(remote.body.lines.map((line: { message: string }) => line.message)).toEqual(['written on n2 only']);
    const own = await systemLog(nodes[0], 'lines=50');
    expect(own.body.node.name).toBe('n1');
    expect(own.body.lines.map((line: { message: string }) => line.message)).toEqual(['written on n1 only']);
  });

  it('refuses a peer token that is forged, for another node, or expired', async () => {
    const secret = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query(`SELECT value FROM shared_secret WHERE name = $1`, [AUTH_SECRET])).rows[0]?.value as string,
    );
    expect(
      (
        await systemLog(
          nodes[1],
          'lines=5',
          `Bearer ${issuePeerToken('not-the-cluster-secret-at-all-0123456789', { from: ids[0], to: ids[1] })}`,
        )
      ).status,
    ).toBe(401);
    expect(secret).toBeTruthy();
    expect((await systemLog(nodes[1], 'lines=5', `Bearer ${issuePeerToken(secret, { from: ids[1], to: ids[0] })}`)).status).toBe(
      401,
    );
    expect(
      (
        await systemLog(
          nodes[1],
          'lines=5',
          `Bearer ${issuePeerToken(secret, { from: ids[0], to: ids[1] }, Date.now() - 60_000)}`,
        )
      ).status,
    ).toBe(401);
    const genuine = await systemLog(nodes[1], 'lines=5', `Bearer ${issuePeerToken(secret, { from: ids[0], to: ids[1] })}`);
    expect(genuine.status).toBe(200);
    // no token at all: the usual sign-in is needed
    expect((await fetch(`${nodes[1].url}/api/logs/system`)).status).toBe(401);
  });

  it('says so when the member is dead', async () => {
    nodes[1].killGroup('SIGKILL');
    await nodes[1].exited;
    const answer = await systemLog(nodes[0], `lines=50&node=${ids[1]}`);
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('MEMBER_UNREACHABLE');
    expect(answer.body.error.message).toMatch(/^n2 did not answer at .*it may be down$/);
  });
});
