/**
 * No single node can stall the cluster. One cluster of three real nodes (1 s × 3: a 3 s window),
 * each behind its own TCP proxy to the database, each started with a test-only freeze point
 * (lib/cluster/test-freeze.ts): a node is frozen with a real SIGSTOP of its process group at the
 * exact moment it has handed a claim, a renewal, a settings change, a make-active or a push to
 * the database, or cut off (its proxy drops every byte) at that moment. In every case the other
 * nodes keep heartbeating, the cluster has an active node again within window + interval of the
 * fault, and the nodes' own records never show more than one active node.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, maxBelievedActive, rolesInMemberOrder, ROOT, seedCluster } from '../helpers/cluster';
import { TcpProxy } from '../helpers/tcp-proxy';

const INTERVAL = 1_000;
const WINDOW = 3_000;
// a loaded 2-core machine: polling, process scheduling and HTTP answers of the probe itself
const SLACK = 1_500;
// a health answer slower than this counts as "not active" for that sample: short, so a gap is measured finely
const PROBE_TIMEOUT_MS = 400;

type TMember = { node: NodeProcess; proxy: TcpProxy; freezeFile: string; name: string; id: string };

let databaseUrl: string;
const members: TMember[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: INTERVAL, failoverHeartbeats: 3 });
  const target = new URL(databaseUrl);
  const armDir = await mkdtemp(path.join(os.tmpdir(), 'orch-freeze-'));
  // side by side: which member is first in line is read from the database (roles()), not assumed
  members.push(
    ...(await Promise.all(
      ['s1', 's2', 's3'].map(async (name) => {
        const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
        const proxied = new URL(databaseUrl);
        proxied.port = String(proxy.port);
        const freezeFile = path.join(armDir, `${name}.freeze`);
        const node = await startNode({ databaseUrl: proxied.toString(), name, env: { ORCH_TEST_FREEZE_FILE: freezeFile } });
        const id = (await pollUntil(() => health(node), { what: `${name} to answer` })).nodeId;
        return { node, proxy, freezeFile, name, id };
      }),
    )),
  );
  await pollUntil(async () => (await roles()).active.length === 1 && (await roles()).standbys.length === 2, {
    what: 'one active node and two standbys',
    timeoutMs: 60_000,
  });
});

afterAll(async () => {
  for (const member of members) member.node.killGroup('SIGCONT');
  await stopAllNodes();
  for (const member of members) await member.proxy.close();
});

/** The active member and the standbys, first in line first, from their own health answers and the member order. */
function roles(): Promise<{ active: TMember[]; standbys: TMember[] }> {
  return rolesInMemberOrder(databaseUrl, members);
}

function isStopped(member: TMember): boolean {
  const pid = member.node.serverPid();
  if (!pid || !existsSync(`/proc/${pid}/stat`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

function arm(member: TMember, point: string): void {
  writeFileSync(member.freezeFile, point);
}

/** Waits until the member froze itself at its armed point; returns when (test clock). */
async function frozenAt(member: TMember): Promise<number> {
  await pollUntil(() => isStopped(member), {
    intervalMs: 20,
    timeoutMs: 20_000,
    what: `${member.name} to freeze at its armed point`,
  });
  return Date.now();
}

/**
 * Samples, every 50 ms, which of the given members answer ACTIVE (a frozen or cut-off node
 * answers nothing, which counts as not active), and the heartbeat ages of the members given as
 * bystanders, on the database clock.
 */
function watch(candidates: TMember[], bystanders: TMember[]) {
  let stopped = false;
  let lastActiveAt = Date.now();
  let longestGapMs = 0;
  let gapStartedAt: number | null = null;
  let maxBystanderAgeMs = 0;
  const client = new pg.Client({ connectionString: databaseUrl });
  const connected = client.connect();
  const loop = (async () => {
    await connected;
    while (!stopped) {
      const states = await Promise.all(candidates.map((member) => health(member.node, PROBE_TIMEOUT_MS)));
      const now = Date.now();
      if (states.some((state) => state?.state === 'ACTIVE')) {
        lastActiveAt = now;
        gapStartedAt = null;
      } else {
        gapStartedAt ??= lastActiveAt;
        longestGapMs = Math.max(longestGapMs, now - gapStartedAt);
      }
      if (bystanders.length > 0) {
        const ages = await client
          .query<{ age: number }>(
            `SELECT (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS age FROM cluster_node WHERE id = ANY($1::uuid[])`,
            [bystanders.map((member) => member.id)],
          )
          .catch(() => undefined);
        for (const row of ages?.rows ?? []) maxBystanderAgeMs = Math.max(maxBystanderAgeMs, row.age);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await client.end();
      return { longestGapMs, maxBystanderAgeMs };
    },
  };
}

/** Every node running, one active and two standbys by their own word, all heartbeating on the database clock. */
async function settle(): Promise<void> {
  for (const member of members) {
    member.node.killGroup('SIGCONT');
    member.proxy.heal();
  }
  const fresh = async () => {
    const ages = await withClient(databaseUrl, (client) =>
      client.query<{ age: number }>(
        `SELECT (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS age FROM cluster_node WHERE removed_at IS NULL`,
      ),
    );
    return ages.rows.length === members.length && ages.rows.every((row) => row.age < INTERVAL * 1.5);
  };
  await pollUntil(
    async () => {
      const { active, standbys } = await roles();
      return active.length === 1 && standbys.length === 2 && (await fresh());
    },
    { timeoutMs: 60_000, what: 'the cluster to settle: one active, two standbys, all heartbeating' },
  );
  // and still so one interval later: a node just back from a freeze or a cut has caught up
  await new Promise((resolve) => setTimeout(resolve, INTERVAL));
  await pollUntil(fresh, { timeoutMs: 30_000, what: 'every node to keep heartbeating' });
}

async function api(member: TMember, method: string, route: string, body?: unknown): Promise<Response | undefined> {
  return fetch(`${member.node.url}${route}`, {
    method,
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  }).catch(() => undefined);
}

const report: Record<string, { longestGapMs: number; maxBystanderAgeMs: number; fromFaultMs?: number }> = {};

describe('one node frozen or cut off at the worst moment does not stall the cluster', () => {
  it('a standby frozen inside its claim: the next standby claims within window + interval of the freeze', async () => {
    await settle();
    const {
      active: [active],
      standbys: [first, second],
    } = await roles();
    arm(first, 'claim');
    const probe = watch(members, [second]);
    active.node.killGroup('SIGSTOP');
    const freezeAt = await frozenAt(first);
    await pollUntil(async () => (await health(second.node))?.state === 'ACTIVE', {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the second standby to take over',
    });
    const fromFaultMs = Date.now() - freezeAt;
    const figures = await probe.stop();
    report['freeze inside a claim'] = { ...figures, fromFaultMs };
    // the frozen claim committed a lease of one window; the next standby takes it as it runs out
    expect(fromFaultMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
    expect(figures.maxBystanderAgeMs).toBeLessThan(WINDOW);
    await settle();
    expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
  });

  it('a standby cut off inside its claim: the next standby claims within window + interval of the cut', async () => {
    await settle();
    const {
      active: [active],
      standbys: [first, second],
    } = await roles();
    arm(first, 'claim');
    const probe = watch(members, [second]);
    active.node.killGroup('SIGSTOP');
    await frozenAt(first);
    first.proxy.cut();
    const cutAt = Date.now();
    first.node.killGroup('SIGCONT');
    await pollUntil(async () => (await health(second.node))?.state === 'ACTIVE', {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the second standby to take over',
    });
    const fromFaultMs = Date.now() - cutAt;
    const figures = await probe.stop();
    report['cut off inside a claim'] = { ...figures, fromFaultMs };
    expect(fromFaultMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
    expect(figures.maxBystanderAgeMs).toBeLessThan(WINDOW);
    expect((await health(first.node))?.state).not.toBe('ACTIVE');
    first.proxy.heal();
    await settle();
    expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
  });

  it('the active node frozen inside a renewal: a standby takes over within window + interval', async () => {
    await settle();
    const {
      active: [active],
      standbys: [first, second],
    } = await roles();
    arm(active, 'renew');
    const probe = watch(members, [first, second]);
    const freezeAt = await frozenAt(active);
    // the frozen node answers nothing: ask only the others
    await pollUntil(
      async () =>
        (await Promise.all([first, second].map((member) => health(member.node)))).some((answer) => answer?.state === 'ACTIVE'),
      {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'a standby to take over',
      },
    );
    const fromFaultMs = Date.now() - freezeAt;
    const figures = await probe.stop();
    report['freeze inside a renewal'] = { ...figures, fromFaultMs };
    expect(fromFaultMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
    expect(figures.maxBystanderAgeMs).toBeLessThan(WINDOW);
    await settle();
    expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
  });

  for (const action of ['settings', 'make-active', 'push'] as const) {
    it(`a node frozen inside ${action === 'settings' ? 'a settings change' : action === 'push' ? 'a push' : 'a make-active'} stalls nobody: the active fails over within window + interval`, async () => {
      await settle();
      const {
        active: [active],
        standbys: [first, operatorNode],
      } = await roles();
      arm(operatorNode, action);
      const answered =
        action === 'settings'
          ? (async () => {
              const status = (await (await api(operatorNode, 'GET', '/api/cluster'))!.json()) as {
                settings: { version: number };
              };
              return api(operatorNode, 'PUT', '/api/cluster/settings', { activeNodeCount: 1, version: status.settings.version });
            })()
          : action === 'make-active'
            ? api(operatorNode, 'POST', `/api/cluster/nodes/${first.id}/activate`)
            : api(operatorNode, 'POST', '/api/config/push', { reset: false });
      const outcome = await Promise.race([
        frozenAt(operatorNode).then(() => 'frozen'),
        answered.then(async (response) => `answered before freezing: HTTP ${response?.status} ${await response?.text()}`),
      ]);
      expect(outcome).toBe('frozen');
      if (action === 'make-active') {
        // the hand-over it asked for goes ahead without it
        await pollUntil(async () => (await health(first.node))?.state === 'ACTIVE', {
          timeoutMs: 30_000,
          intervalMs: 50,
          what: 'the chosen node to become active',
        });
      }
      const current = (await health(first.node))?.state === 'ACTIVE' ? first : active;
      const next = current === first ? members.find((member) => member !== first && member !== operatorNode)! : first;
      const probe = watch(members, [next]);
      const faultAt = Date.now();
      current.node.killGroup('SIGSTOP');
      await pollUntil(async () => (await health(next.node))?.state === 'ACTIVE', {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'a standby to take over from the frozen active',
      });
      const fromFaultMs = Date.now() - faultAt;
      const figures = await probe.stop();
      report[`freeze inside ${action}`] = { ...figures, fromFaultMs };
      expect(fromFaultMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
      expect(figures.maxBystanderAgeMs).toBeLessThan(WINDOW);
      operatorNode.node.killGroup('SIGCONT');
      await answered;
      await settle();
      expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
    });
  }

  it('reports the figures', () => {
    console.log(`no-stall figures (ms): ${JSON.stringify(report, null, 2)}`);
    expect(Object.keys(report).length).toBeGreaterThan(0);
  });
});
