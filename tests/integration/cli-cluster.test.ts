/**
 * orchctl's cluster commands against two real nodes on one database: settings, maintenance,
 * activate, remove and events, each answering with exit 0 or one `orchctl: …` line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TClusterStatus, TMemberView } from '@/lib/cluster/status';
import type { TClusterEventView } from '@/lib/cluster/events';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

afterAll(stopAllNodes);

const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };

async function readCluster(node: NodeProcess): Promise<TClusterStatus> {
  const response = await fetch(`${node.url}/api/cluster`, { headers: { authorization: basicAuth('root', ROOT_PASSWORD) } });
  if (!response.ok) throw new Error(`GET /api/cluster answered ${response.status}`);
  return (await response.json()) as TClusterStatus;
}

const member = (status: TClusterStatus, name: string, state?: TMemberView['state']) =>
  status.nodes.find((node) => node.name === name && (state ? node.state === state : node.state !== 'REMOVED'));

function expectOneLineError(result: { code: number | null; stderr: string }): string {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^orchctl: /);
  return lines[0];
}

describe('orchctl cluster commands', () => {
  let databaseUrl: string;
  let alpha: NodeProcess;
  let beta: NodeProcess;
  /** orchctl COMMAND --url <alpha> ARGS…, signed in as root */
  const orchctl = (command: string, ...args: string[]) => runOrchctl([command, '--url', alpha.url, ...args], AS_ROOT);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    alpha = await startNode({ databaseUrl, name: 'alpha' });
    beta = await startNode({ databaseUrl, name: 'beta' });
    await pollUntil(
      async () => {
        const states = (await readCluster(alpha)).nodes.map((node) => node.state).sort();
        return states.join() === 'ACTIVE,STANDBY';
      },
      { what: 'one active and one standby node' },
    );
  });

  it('status shows the cluster by name, the local node marked, and keeps --json as the API has it', async () => {
    const status = await orchctl('status');
    expect(status.code, status.stderr).toBe(0);
    const [first, settings, , ...rows] = status.stdout.trim().split('\n');
    const cluster = await readCluster(alpha);
    expect(first).toBe(`cluster: ${cluster.name} (${cluster.clusterId})`);
    expect(settings).toMatch(/^settings: heartbeat 2 s × 5 \(fails over after 10 s\), 1 active, version \d+$/);
    expect(rows.find((row) => row.startsWith('*'))).toContain('alpha');
    expect(rows.find((row) => row.includes('beta'))).toMatch(/^ /);

    const json = await orchctl('status', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(Object.keys(JSON.parse(json.stdout)).sort()).toEqual(Object.keys(cluster).sort());
    // the contract for scripts: no --advertise, --listen on loopback: the url is loopback's name
    // (tests/integration/separate-hosts.test.ts checks that it is not, for any other --listen)
    for (const member of (JSON.parse(json.stdout) as { nodes: { url: string }[] }).nodes)
      expect(member.url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('activate hands the active role to the standby, named by its name; an unknown name is one line', async () => {
    const standby = (await readCluster(alpha)).nodes.find((node) => node.state === 'STANDBY')!;
    const result = await orchctl('activate', standby.name);
    expect(result.code, result.stderr).toBe(0);
    await pollUntil(
      async () => {
        const status = await readCluster(alpha);
        return (
          member(status, standby.name)?.state === 'ACTIVE' && status.nodes.filter((node) => node.state === 'ACTIVE').length === 1
        );
      },
      { what: `${standby.name} to become the active node` },
    );

    const unknown = await orchctl('activate', 'no-such-node');
    expect(expectOneLineError(unknown)).toBe('orchctl: no node named no-such-node in the cluster');
  });

  it('settings changes what is given, with the version it read; the server names a value out of range', async () => {
    const current = await orchctl('settings');
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout.trim()).toMatch(/^heartbeat 2 s × 5 \(fails over after 10 s\), 1 active, version \d+$/);

    const changed = await orchctl('settings', '--active-nodes', '2');
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('2 active');
    const status = await orchctl('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).settings).toMatchObject({
      activeNodeCount: 2,
      heartbeatIntervalSeconds: 2,
      failoverHeartbeats: 5,
    });

    const tooShort = await orchctl('settings', '--heartbeat-interval', '0.1');
    expect(expectOneLineError(tooShort)).toContain('heartbeatIntervalSeconds');
    expect((await readCluster(alpha)).settings.heartbeatIntervalSeconds).toBe(2);

    const notANumber = await orchctl('settings', '--active-nodes', 'two');
    expect(expectOneLineError(notANumber)).toBe('orchctl: --active-nodes takes a number, not "two"');
  });

  it('maintenance on keeps a node from being active, off lets it stand by again', async () => {
    const on = await orchctl('maintenance', 'beta', 'on');
    expect(on.code, on.stderr).toBe(0);
    await pollUntil(async () => member(await readCluster(alpha), 'beta')?.state === 'MAINTENANCE', {
      what: 'beta in maintenance',
    });

    const off = await orchctl('maintenance', 'beta', 'off');
    expect(off.code, off.stderr).toBe(0);
    await pollUntil(async () => ['ACTIVE', 'STANDBY'].includes(member(await readCluster(alpha), 'beta')?.state ?? ''), {
      what: 'beta out of maintenance',
    });

    expect(expectOneLineError(await orchctl('maintenance', 'beta', 'sideways'))).toBe(
      'orchctl: maintenance takes on or off, not "sideways"',
    );
  });

  it("remove refuses a live node with the server's reason", async () => {
    const result = await orchctl('remove', 'alpha');
    const line = expectOneLineError(result);
    expect(line).toMatch(/alpha is (ACTIVE|STANDBY|MAINTENANCE|LATE)/);
    expect(line).toContain('only a node that is not responding can be removed');
  });

  it('events lists what was done, and by whom', async () => {
    const json = await orchctl('events', '--json');
    expect(json.code, json.stderr).toBe(0);
    const events = JSON.parse(json.stdout) as TClusterEventView[];
    expect(events.find((event) => event.kind === 'SETTINGS_CHANGED')).toMatchObject({ actor: 'root' });
    expect(events.find((event) => event.kind === 'MAINTENANCE_ON')).toMatchObject({ actor: 'root', nodeName: 'beta' });

    const table = await orchctl('events', '--node', 'beta', '--kind', 'maintenance_on');
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^TIME \(UTC\)\s+KIND\s+NODE\s+ACTOR$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/MAINTENANCE_ON\s+beta\s+root$/);
  });

  it('remove takes a node that stopped; its name then means the live node that has it', async () => {
    const removedId = member(await readCluster(alpha), 'beta')!.id;
    await beta.stop();
    await pollUntil(async () => member(await readCluster(alpha), 'beta')?.state === 'NOT_RESPONDING', {
      timeoutMs: 60_000,
      what: 'the stopped node to count as not responding',
    });
    const removed = await orchctl('remove', 'beta');
    expect(removed.code, removed.stderr).toBe(0);
    expect(member(await readCluster(alpha), 'beta', 'REMOVED')?.id).toBe(removedId);
    // a removed node is not found by its name
    expect(expectOneLineError(await orchctl('maintenance', 'beta', 'on'))).toBe('orchctl: no node named beta in the cluster');

    // a new node under the same name: the name now stands for it, not for the tombstone
    await startNode({ databaseUrl, name: 'beta' });
    const reborn = await pollUntil(async () => member(await readCluster(alpha), 'beta'), { what: 'the new beta to register' });
    expect(reborn.id).not.toBe(removedId);
    const on = await orchctl('maintenance', 'beta', 'on');
    expect(on.code, on.stderr).toBe(0);
    const status = await readCluster(alpha);
    expect(status.nodes.find((node) => node.id === reborn.id)?.maintenance).toBe(true);
    expect(status.nodes.find((node) => node.id === removedId)?.maintenance).toBe(false);
  });
});
