/**
 * A cluster on separate hosts: the database and each node in a network namespace of its own,
 * on a private /24 made by this test (tests/helpers/host-network.ts). Each node is known to the
 * others by its own address, which it advertises without being told (A listens on its address,
 * B on every interface), at http:// until it serves a certificate and at https:// from the
 * server start that serves one (a certificate pushed with a reset: no launcher restarts). Where
 * namespaces cannot be made, the file fails and says why.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { THealth } from '@/lib/cluster/health';
import type { TClusterStatus } from '@/lib/cluster/status';
import { pollUntil } from '../helpers/poll';
import { basicAuth, isAlive, ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, health, maxBelievedActive, ROOT, seedCluster, stateOf } from '../helpers/cluster';
import { rawRequest } from '../helpers/https-request';
import { HostDatabase, HostNetwork, startHostNode } from '../helpers/host-network';

const run = promisify(execFile);

// 1 s × 3: a 3 s window; checks allow the window plus one interval, plus slack for a loaded machine
const INTERVAL = 1_000;
const WINDOW = 3_000;
const SLACK = 1_500;

let network: HostNetwork | undefined;
let database: HostDatabase | undefined;
const nodes = new Map<string, NodeProcess>();
const node = (name: string) => nodes.get(name)!;

beforeAll(async () => {
  network = await HostNetwork.create(['db', 'a', 'b', 'c']);
  database = await HostDatabase.start(network, 'db');
  await seedCluster(database.url, { intervalMs: INTERVAL, failoverHeartbeats: 3 });
  nodes.set('a', await startHostNode({ network, host: 'a', name: 'A', databaseUrl: database.url }));
  nodes.set('b', await startHostNode({ network, host: 'b', name: 'B', databaseUrl: database.url, listen: null }));
}, 240_000);

afterAll(async () => {
  await stopAllNodes();
  await Promise.all([...nodes.values()].map((started) => rm(started.dataDir, { recursive: true, force: true })));
  await database?.stop();
  await network?.destroy();
}, 60_000);

/** /api/health asked from inside the node's own host: answers even while the host is cut off. */
async function healthFromInside(host: string, target: NodeProcess): Promise<THealth | undefined> {
  try {
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      network!.host(host).namespace,
      'curl',
      '-s',
      '--max-time',
      '2',
      `${target.url}/api/health`,
    ]);
    return JSON.parse(stdout) as THealth;
  } catch {
    return undefined;
  }
}

async function waitForActive(name: string, what: string): Promise<void> {
  await pollUntil(async () => (await health(node(name)))?.state === 'ACTIVE', { intervalMs: 50, what, timeoutMs: 30_000 });
}

describe('nodes on separate hosts', () => {
  it('refuses a --listen that is not an IP address of this host, in one line, and starts nothing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-listen-'));
    const name = await runOrchctl(['node', 'start', '--port', '3999', '--data-dir', dataDir, '--listen', 'node-1.example']);
    expect(name.code).not.toBe(0);
    expect(name.stderr.trim()).toBe(
      'orchctl: --listen takes an IP address of this host (e.g. 0.0.0.0, 127.0.0.1, 10.0.0.5), not "node-1.example"',
    );
    // an address of the test network that no host here has
    const elsewhere = `${network!.prefix}.99`;
    const absent = await runOrchctl(['node', 'start', '--port', '3999', '--data-dir', dataDir, '--listen', elsewhere]);
    expect(absent.code).not.toBe(0);
    expect(absent.stderr.trim()).toBe(`orchctl: --listen ${elsewhere} is not an address of this host`);
    expect(existsSync(path.join(dataDir, 'node.json'))).toBe(false);
  });

  it('advertise their own address, never a loopback name, and say loudly that they serve plain HTTP', async () => {
    await waitForActive('a', 'A to become active');
    const { code, stdout, stderr } = await runOrchctl(['status', '--url', node('a').url, '--json'], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
    });
    expect(code, stderr).toBe(0);
    const urls = Object.fromEntries(
      (JSON.parse(stdout) as { nodes: { name: string; url: string }[] }).nodes.map((member) => [member.name, member.url]),
    );
    // A listens on its address; B on every interface, where its one non-loopback address is eth0's
    expect(urls.A).toBe(`http://${network!.host('a').address}:3000`);
    expect(new URL(urls.B).hostname).not.toMatch(/^(localhost|127\.|\[::1\])/);
    expect(urls.B).toBe(`http://${network!.host('b').address}:3000`);

    const alarms = (await clusterStatus(node('a'))).alarms.filter((alarm) => alarm.code === 'PLAIN_HTTP');
    expect(alarms.map((alarm) => alarm.message.split(' ')[0]).sort()).toEqual(['A', 'B']);
    for (const name of ['a', 'b']) expect(node(name).output()).toContain('PLAIN HTTP TO OTHER HOSTS');
  });

  it("kill -9 of the active host's node: the other host takes over within window + interval", async () => {
    await waitForActive('a', 'A active');
    const killedAt = Date.now();
    node('a').killGroup('SIGKILL');
    await waitForActive('b', 'B to take over');
    const tookMs = Date.now() - killedAt;
    console.log(
      `separate hosts: kill -9 of the active host's node -> other host ACTIVE in ${tookMs} ms (window ${WINDOW} + interval ${INTERVAL})`,
    );
    expect(tookMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);

    // started again on the same data: a standby (no pre-emption)
    await node('a').exited;
    nodes.set(
      'a',
      await startHostNode({ network: network!, host: 'a', name: 'A', databaseUrl: database!.url, dataDir: node('a').dataDir }),
    );
    await pollUntil(async () => (await health(node('a')))?.state === 'STANDBY', { what: 'A to stand by again' });
    expect((await health(node('b')))?.state).toBe('ACTIVE');
  });

  it('a host cut off entirely (link down) fences itself, the other takes over, and it returns as a standby', async () => {
    // B is active since the kill above
    await waitForActive('b', 'B active');
    const cutAt = Date.now();
    await network!.setLink('b', 'down');
    try {
      await waitForActive('a', 'A to take over from the cut-off host');
      const tookMs = Date.now() - cutAt;
      console.log(`separate hosts: active host cut off (link down) -> other host ACTIVE in ${tookMs} ms`);
      expect(tookMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
      // B, asked on its own host, no longer claims to be active
      const fenced = await pollUntil(
        async () => {
          const state = (await healthFromInside('b', node('b')))?.state;
          return state && state !== 'ACTIVE' ? state : undefined;
        },
        { what: 'B to fence itself while cut off', timeoutMs: 15_000 },
      );
      expect(['FENCED', 'STANDBY', 'STARTING']).toContain(fenced);
    } finally {
      await network!.setLink('b', 'up');
    }
    await pollUntil(async () => stateOf(await clusterStatus(node('a')), 'B') === 'STANDBY', {
      what: 'the cluster to see B as a standby',
      timeoutMs: 30_000,
    });
    await pollUntil(async () => (await health(node('b')))?.state === 'STANDBY', {
      what: 'B to return as a standby',
      timeoutMs: 30_000,
    });
    expect((await health(node('a')))?.state).toBe('ACTIVE');
    // from the nodes' own records: never two active at once
    expect(maxBelievedActive([...nodes.values()])).toBe(1);
  });

  it("joins a third host through the seed's HTTPS address with a token and the fingerprint; plain HTTP between hosts is refused", async () => {
    const a = node('a');
    const aId = (await clusterStatus(a)).nodes.find((member) => member.name === 'A')!.id;
    // A gets the cluster certificate (covering every member's advertised address) and restarts to serve it
    const generated = await fetch(`${a.url}/api/config/certificate`, {
      method: 'POST',
      headers: { authorization: ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'generate' }),
    });
    expect(generated.status).toBe(201);
    expect(
      (await fetch(`${a.url}/api/cluster/nodes/${aId}/restart`, { method: 'POST', headers: { authorization: ROOT } })).status,
    ).toBe(200);
    const certificate = readFileSync(path.join(a.dataDir, 'config', 'tls', 'certificate.pem'), 'utf8');
    const seedHttps = `https://${network!.host('a').address}:3000`;
    // verified against the certificate itself: it must name A's advertised address
    await pollUntil(
      async () => (await rawRequest(`${seedHttps}/api/health`, { ca: certificate, timeoutMs: 2_000 })).status === 200,
      { what: 'A to serve HTTPS for its address', timeoutMs: 60_000 },
    );
    await waitForActive('b', 'B active while A restarts');

    const C_ROOT = 'c-local-root-password';
    nodes.set(
      'c',
      await startHostNode({ network: network!, host: 'c', name: 'C', listen: null, env: { ORCH_ROOT_PASSWORD: C_ROOT } }),
    );
    const token = (
      await rawRequest(`${seedHttps}/api/cluster/join-tokens`, {
        ca: certificate,
        headers: { authorization: ROOT },
        body: JSON.stringify({ ttlMinutes: 15 }),
      })
    ).json<{ token: string; fingerprint: string }>();
    const preview = (seedUrl: string, credentials: { token: string; fingerprint: string }) =>
      fetch(`${node('c').url}/api/cluster/join-preview`, {
        method: 'POST',
        headers: { authorization: basicAuth('root', C_ROOT), 'content-type': 'application/json' },
        body: JSON.stringify({ seedUrl, token: credentials.token, fingerprint: credentials.fingerprint }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));

    const plain = await preview(`http://${network!.host('a').address}:3000`, token);
    expect(plain.status).toBe(422);
    expect(plain.body.error).toMatchObject({ field: 'seedUrl' });
    expect(plain.body.error.message).toMatch(/use https:\/\//);
    expect((await health(node('c')))?.clusterId).toBeNull();

    const shown = await preview(seedHttps, token);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const { previewId, clusterId, clusterName, databaseHost, fingerprint } = shown.body;
    const joined = await fetch(`${node('c').url}/api/cluster/join`, {
      method: 'POST',
      headers: { authorization: basicAuth('root', C_ROOT), 'content-type': 'application/json' },
      body: JSON.stringify({ previewId, confirmed: { clusterId, clusterName, databaseHost, fingerprint } }),
    });
    expect(joined.status, await joined.clone().text()).toBe(202);
    await pollUntil(async () => (await health(node('c')))?.clusterId, { what: 'C to come up in the cluster', timeoutMs: 60_000 });
    const status = await clusterStatus(node('b'));
    await pollUntil(async () => stateOf(await clusterStatus(node('b')), 'C') === 'STANDBY', {
      what: 'C to stand by',
      timeoutMs: 30_000,
    });
    expect(status.clusterId).toBe(clusterId);
    const cUrl = (await clusterStatus(node('b'))).nodes.find((member) => member.name === 'C')!.url;
    expect(cUrl).toBe(`http://${network!.host('c').address}:3000`);
  });

  it('the active host cut off from the database only (the hosts still reach each other) fences, and another takes over', async () => {
    // the members of A's cluster (C too, once the join above has made it one)
    const clusterId = (await health(node('a')))?.clusterId;
    const members: string[] = [];
    for (const name of nodes.keys()) if ((await health(node(name)))?.clusterId === clusterId) members.push(name);
    expect(members).toEqual(expect.arrayContaining(['a', 'b']));
    const active = await pollUntil(
      async () => {
        for (const name of members) if ((await health(node(name)))?.state === 'ACTIVE') return name;
        return undefined;
      },
      { what: 'an active node' },
    );
    const others = members.filter((name) => name !== active);
    const cutAt = Date.now();
    await network!.setPath(active, 'db', 'cut');
    try {
      const successor = await pollUntil(
        async () => {
          for (const name of others) if ((await health(node(name)))?.state === 'ACTIVE') return name;
          return undefined;
        },
        { intervalMs: 50, what: 'another host to take over', timeoutMs: 30_000 },
      );
      const tookMs = Date.now() - cutAt;
      console.log(`separate hosts: active host cut from the database only -> ${successor} ACTIVE in ${tookMs} ms`);
      expect(tookMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
      expect((await health(node(active)))?.state).not.toBe('ACTIVE');
      // the cut is between the host and the database only: it still reaches the new active node
      expect((await healthFromInside(active, node(successor)))?.state).toBe('ACTIVE');
    } finally {
      await network!.setPath(active, 'db', 'open');
    }
    await pollUntil(async () => (await health(node(active)))?.state === 'STANDBY', {
      what: 'the cut host to return as a standby',
      timeoutMs: 30_000,
    });
    // A and B were in this cluster from the start; C's records also hold its standalone days, when
    // it was the active node of its own one-node cluster
    expect(maxBelievedActive([node('a'), node('b')])).toBe(1);
  });

  it(
    'a certificate pushed with a reset: every node advertises https:// and PLAIN_HTTP clears, without restarting a launcher',
    { timeout: 330_000 },
    async () => {
      const members = ['a', 'b', 'c'];
      const address = (name: string) => network!.host(name).address;
      const urlsOf = (status: TClusterStatus) => Object.fromEntries(status.nodes.map((member) => [member.name, member.url]));
      // before: A advertises https:// since the restart that made it serve its own certificate (the
      // join above), never told to; B and C serve none and advertise http://
      const before = await clusterStatus(node('b'));
      expect(urlsOf(before)).toEqual({
        A: `https://${address('a')}:3000`,
        B: `http://${address('b')}:3000`,
        C: `http://${address('c')}:3000`,
      });
      const plainBefore = before.alarms.filter((alarm) => alarm.code === 'PLAIN_HTTP');
      expect(plainBefore.map((alarm) => alarm.message.split(' ')[0]).sort()).toEqual(['B', 'C']);
      const launchers = new Map(members.map((name) => [name, node(name)]));
      const restartsBefore = new Map(members.map((name) => [name, restartsOf(node(name))]));

      // the operator's steps (docs/operations.md): generate on one node, push to all with a reset
      const credentials = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
      const generated = await runOrchctl(['certificate', 'generate', '--url', node('b').url], credentials);
      expect(generated.code, generated.stderr).toBe(0);
      const pushed = await runOrchctl(['push', '--url', node('b').url, '--reset', '--no-wait'], credentials);
      expect(pushed.code, pushed.stderr).toBe(0);
      const certificate = readFileSync(path.join(node('b').dataDir, 'config', 'tls', 'certificate.pem'), 'utf8');
      const trustDir = await mkdtemp(path.join(os.tmpdir(), 'orch-cluster-trust-'));
      try {
        const trusted = path.join(trustDir, 'cluster.crt');
        await writeFile(trusted, certificate);
        const bHttps = `https://${address('b')}:3000`;
        // every member advertised at https:// and no PLAIN_HTTP alarm, as B (serving the pushed certificate) reports it
        const after = await pollUntil(
          async () => {
            // throws while B restarts or still serves plain HTTP; the last answer is in the timeout's message
            const response = await rawRequest(`${bHttps}/api/cluster`, {
              ca: certificate,
              headers: { authorization: ROOT },
              timeoutMs: 5_000,
            });
            if (response.status !== 200) throw new Error(`HTTP ${response.status} from B`);
            const status = response.json<TClusterStatus>();
            const allHttps = status.nodes.length === 3 && status.nodes.every((member) => member.url.startsWith('https://'));
            if (allHttps && !status.alarms.some((alarm) => alarm.code === 'PLAIN_HTTP')) return status;
            throw new Error(`B reports ${JSON.stringify(urlsOf(status))}, alarms ${status.alarms.map((alarm) => alarm.code)}`);
          },
          { what: 'every member to advertise https:// with the PLAIN_HTTP alarm cleared', timeoutMs: 240_000 },
        );
        expect(urlsOf(after)).toEqual({
          A: `https://${address('a')}:3000`,
          B: `https://${address('b')}:3000`,
          C: `https://${address('c')}:3000`,
        });
        // the pushed certificate covers each member's advertised host
        expect(after.alarms.map((alarm) => alarm.code)).not.toContain('CERTIFICATE_HOST_NOT_COVERED');

        // what orchctl status --json shows, over HTTPS trusting the cluster certificate: the members' own addresses
        const shown = await runOrchctl(['status', '--url', bHttps, '--json'], { ...credentials, NODE_EXTRA_CA_CERTS: trusted });
        expect(shown.code, shown.stderr).toBe(0);
        const status = JSON.parse(shown.stdout) as TClusterStatus;
        for (const member of status.nodes) {
          expect(member.url).toMatch(/^https:\/\//);
          expect(new URL(member.url).hostname).not.toMatch(/^(localhost|127\.|\[::1\])/);
        }
        expect(status.alarms.map((alarm) => alarm.code)).not.toContain('PLAIN_HTTP');
      } finally {
        await rm(trustDir, { recursive: true, force: true });
      }
      // the same launchers, still running: only their servers restarted (the rolling reset)
      for (const name of members) {
        expect(node(name)).toBe(launchers.get(name));
        expect(isAlive(node(name).pid), `${name}'s launcher`).toBe(true);
        expect(restartsOf(node(name)), `${name}'s server restarts`).toBeGreaterThan(restartsBefore.get(name)!);
      }
    },
  );
});

/** How often the launcher has started its server again on request (a join, a reset). */
function restartsOf(started: NodeProcess): number {
  return started.output().split('server asked for a restart').length - 1;
}
