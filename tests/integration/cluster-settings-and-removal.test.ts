/**
 * Operator actions on a real cluster: settings (validation, optimistic version, hot change with
 * no false failover), remove with tombstone, maintenance and hand-over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { holdsFor, pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { activeNodes, clusterStatus, health, seedCluster, startNodes, stateOf } from '../helpers/cluster';
import { api } from '../helpers/http';

let databaseUrl: string;
let nodes: NodeProcess[];

/** What these routes answer, as far as the tests read it: an error, or a node's detail. */
type TAnswer = { error: { code: string; field?: string; message: string }; recentGapsMs: number[]; node: unknown };
const call = (node: NodeProcess, method: string, path: string, body?: unknown) => api<TAnswer>(node, path, { method, body });

const notRespondingEvents = () =>
  withClient(
    databaseUrl,
    async (client) =>
      (await client.query(`SELECT count(*)::int AS n FROM cluster_event WHERE kind = 'NOT_RESPONDING'`)).rows[0].n as number,
  );

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 2_000, failoverHeartbeats: 5 });
  nodes = await startNodes(databaseUrl, 3);
  await pollUntil(async () => (await activeNodes(nodes)).length === 1, { what: 'one active node' });
});
afterAll(stopAllNodes);

describe('settings', () => {
  it('refuses out-of-range values naming the field, and a stale version with 409, changing nothing', async () => {
    const before = (await clusterStatus(nodes[0])).settings;
    for (const [field, value] of [
      ['heartbeatIntervalSeconds', 0.1],
      ['heartbeatIntervalSeconds', 301],
      ['failoverHeartbeats', 1],
      ['failoverHeartbeats', 2.5],
      ['activeNodeCount', 65],
      ['activeNodeCount', 'two'],
    ] as const) {
      const refused = await call(nodes[0], 'PUT', '/api/cluster/settings', { [field]: value, version: before.version });
      expect(refused.status, `${field} = ${value}`).toBe(400);
      expect(refused.body.error.field).toBe(field);
    }
    // someone else saves first (same values, new version); a change based on what we read is refused
    expect((await call(nodes[1], 'PUT', '/api/cluster/settings', { version: before.version })).status).toBe(200);
    const stale = await call(nodes[0], 'PUT', '/api/cluster/settings', { activeNodeCount: 2, version: before.version });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'STALE_VERSION', field: 'version' } } });
    expect((await clusterStatus(nodes[1])).settings).toEqual({ ...before, version: before.version + 1 });
  });

  it('shrinks the window from 10 s to 1 s with no NOT_RESPONDING for live nodes', async () => {
    const { version } = (await clusterStatus(nodes[0])).settings;
    const changed = await call(nodes[0], 'PUT', '/api/cluster/settings', {
      heartbeatIntervalSeconds: 0.2,
      failoverHeartbeats: 5,
      version,
    });
    expect(changed.body).toMatchObject({ heartbeatIntervalSeconds: 0.2, failoverSeconds: 1, version: version + 1 });
    // through the nodes' switch to the new interval and well past the old window's grace
    await holdsFor(
      async () => {
        const status = await clusterStatus(nodes[1]);
        return status.nodes.every((node) => node.state !== 'NOT_RESPONDING') && (await activeNodes(nodes)).length === 1;
      },
      12_000,
      'every live node to stay responding with one active',
      200,
    );
    expect(await notRespondingEvents()).toBe(0);
    const settingsEvent = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query(`SELECT actor, details FROM cluster_event WHERE kind = 'SETTINGS_CHANGED' ORDER BY id DESC LIMIT 1`))
          .rows[0],
    );
    expect(settingsEvent.actor).toBe('root');
    expect(settingsEvent.details.before.heartbeatIntervalSeconds).toBe(2);
    expect(settingsEvent.details.after.heartbeatIntervalSeconds).toBe(0.2);
  });
});

describe('node detail', () => {
  it("shows the gaps between a node's recent heartbeats, on the database clock", async () => {
    const id = (await health(nodes[1]))!.nodeId;
    const detail = await pollUntil(
      async () => {
        const answer = await call(nodes[0], 'GET', `/api/cluster/nodes/${id}`);
        return (answer.body.recentGapsMs?.length ?? 0) >= 3 ? answer.body : undefined;
      },
      { what: 'a few heartbeat gaps' },
    );
    expect(detail.node).toMatchObject({ id, name: 'n2' });
    expect(detail.recentGapsMs.length).toBeLessThanOrEqual(120);
    // every gap is about one interval: far from zero, far below the window
    for (const gap of detail.recentGapsMs.slice(-3)) expect(gap).toBeGreaterThan(50);
    expect((await call(nodes[0], 'GET', '/api/cluster/nodes/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call(nodes[0], 'GET', '/api/cluster/nodes/not-a-uuid')).body.error.field).toBe('id');
  });
});

describe('maintenance and hand-over', () => {
  it('moves the active role to a chosen standby, and keeps a maintenance node out', async () => {
    const status = await clusterStatus(nodes[0]);
    const standby = status.nodes.find((node) => node.state === 'STANDBY')!;
    expect((await call(nodes[0], 'POST', `/api/cluster/nodes/${standby.id}/activate`)).status).toBe(200);
    await pollUntil(async () => stateOf(await clusterStatus(nodes[0]), standby.name) === 'ACTIVE', {
      what: 'the chosen node to become active',
    });
    const active = (await activeNodes(nodes)).map((node) => node.url);
    expect(active).toEqual([standby.url.replace('localhost', '127.0.0.1')]);

    // refused for a node that is not a standby
    const again = await call(nodes[0], 'POST', `/api/cluster/nodes/${standby.id}/activate`);
    expect(again.status).toBe(409);

    expect((await call(nodes[0], 'PUT', `/api/cluster/nodes/${standby.id}/maintenance`, { enabled: true })).status).toBe(200);
    await pollUntil(async () => stateOf(await clusterStatus(nodes[0]), standby.name) === 'MAINTENANCE', { what: 'maintenance' });
    const inMaintenance = standby.url.replace('localhost', '127.0.0.1');
    await pollUntil(
      async () => {
        const active = (await activeNodes(nodes)).map((node) => node.url);
        return active.length === 1 && active[0] !== inMaintenance;
      },
      { what: 'another node to take over from the one in maintenance' },
    );
    expect((await call(nodes[0], 'PUT', `/api/cluster/nodes/${standby.id}/maintenance`, { enabled: false })).status).toBe(200);
    await pollUntil(async () => stateOf(await clusterStatus(nodes[0]), standby.name) === 'STANDBY', { what: 'back to standby' });
  });
});

describe('removing a node', () => {
  it('is refused for a live node, works for a dead one, and its id cannot come back silently', async () => {
    const victim = nodes[2];
    const victimId = (await health(victim))!.nodeId;
    const live = await call(nodes[0], 'DELETE', `/api/cluster/nodes/${victimId}`);
    expect(live.status).toBe(409);
    expect(live.body.error.message).toMatch(/only a node that is not responding can be removed/);

    victim.killGroup('SIGKILL');
    await victim.exited;
    await pollUntil(async () => stateOf(await clusterStatus(nodes[0]), 'n3') === 'NOT_RESPONDING', {
      what: 'the dead node to be NOT_RESPONDING',
    });
    expect((await call(nodes[0], 'DELETE', `/api/cluster/nodes/${victimId}`)).status).toBe(200);
    expect(stateOf(await clusterStatus(nodes[0]), 'n3')).toBe('REMOVED');

    // the same process identity comes back: refused, not a member, never active
    const returned = await startNode({ databaseUrl, dataDir: victim.dataDir, port: victim.port, name: 'n3' });
    await pollUntil(async () => (await health(returned))?.state === 'FENCED', { what: 'the removed node to be refused' });
    expect(returned.output()).toMatch(/removed from the cluster/);
    await holdsFor(async () => stateOf(await clusterStatus(nodes[0]), 'n3') === 'REMOVED', 1_000, 'the tombstone to hold');
  });
});
