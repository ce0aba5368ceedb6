/**
 * One slow node does not hold the cluster back. One cluster of three real nodes (1 s × 3: a 3 s
 * window), each behind its own TCP proxy to the database; the proxy in front of one node adds
 * latency to every byte. The first standby in line is a preference, not a gate: with that
 * standby 800 ms (or 150 ± 50 ms) away from the database, a frozen active is replaced within
 * window + interval; with the active itself 800 ms away, the cluster is never without an active
 * node for longer than window + interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, maxBelievedActive, rolesInMemberOrder, seedCluster } from '../helpers/cluster';
import { TcpProxy } from '../helpers/tcp-proxy';

const INTERVAL = 1_000;
const WINDOW = 3_000;
// a loaded 2-core machine: polling, process scheduling and HTTP answers of the probe itself
const SLACK = 1_500;
// a health answer slower than this counts as "not active" for that sample: short, so a gap is measured finely
const PROBE_TIMEOUT_MS = 400;

type TMember = { node: NodeProcess; proxy: TcpProxy; name: string; id: string };

let databaseUrl: string;
const members: TMember[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: INTERVAL, failoverHeartbeats: 3 });
  const target = new URL(databaseUrl);
  // side by side: which member is first in line is read from the database (roles()), not assumed
  members.push(
    ...(await Promise.all(
      ['l1', 'l2', 'l3'].map(async (name) => {
        const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
        const proxied = new URL(databaseUrl);
        proxied.port = String(proxy.port);
        const node = await startNode({ databaseUrl: proxied.toString(), name });
        const id = (await pollUntil(() => health(node), { what: `${name} to answer` })).nodeId;
        return { node, proxy, name, id };
      }),
    )),
  );
});

afterAll(async () => {
  for (const member of members) member.node.killGroup('SIGCONT');
  await stopAllNodes();
  for (const member of members) await member.proxy.close();
});

function roles(among = members): Promise<{ active: TMember[]; standbys: TMember[] }> {
  return rolesInMemberOrder(databaseUrl, among);
}

async function settle(): Promise<void> {
  for (const member of members) {
    member.node.killGroup('SIGCONT');
    member.proxy.setLatency(0);
  }
  await pollUntil(
    async () => {
      const { active, standbys } = await roles();
      return active.length === 1 && standbys.length === 2;
    },
    { timeoutMs: 60_000, what: 'one active node and two standbys' },
  );
  await pollUntil(
    async () => {
      const ages = await withClient(databaseUrl, (client) =>
        client.query<{ age: number }>(
          `SELECT (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS age FROM cluster_node`,
        ),
      );
      return ages.rows.every((row) => row.age < INTERVAL * 1.5);
    },
    { timeoutMs: 30_000, what: 'every node heartbeating' },
  );
}

/** The longest stretch, sampled every 50 ms over DURATION_MS or until DONE, in which none of CANDIDATES answered ACTIVE. */
async function longestWithoutActive(
  candidates: TMember[],
  done: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  let lastActiveAt = Date.now();
  let longest = 0;
  while (Date.now() < end) {
    const answers = await Promise.all(candidates.map((member) => health(member.node, PROBE_TIMEOUT_MS)));
    const now = Date.now();
    if (answers.some((answer) => answer?.state === 'ACTIVE')) lastActiveAt = now;
    longest = Math.max(longest, now - lastActiveAt);
    if (await done()) return longest;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return longest;
}

const figures: Record<string, number> = {};

describe('a slow node holds nobody back', () => {
  for (const [label, ms, jitter] of [
    ['800 ms', 800, 0],
    ['150 ± 50 ms', 150, 50],
  ] as const) {
    it(`with the first standby in line ${label} from the database, a frozen active is replaced within window + interval`, async () => {
      await settle();
      const {
        active: [active],
        standbys: [first, second],
      } = await roles();
      first.proxy.setLatency(ms, jitter);
      // let the latency settle in (the next heartbeats of the slow standby go through it)
      await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL));
      const frozenAt = Date.now();
      active.node.killGroup('SIGSTOP');
      let tookMs = 0;
      await longestWithoutActive(
        [first, second],
        async () => {
          const now = await roles([first, second]);
          if (now.active.length === 1) tookMs = Date.now() - frozenAt;
          return now.active.length === 1;
        },
        30_000,
      );
      figures[`first standby ${label} away: takeover after freezing the active`] = tookMs;
      expect(tookMs).toBeGreaterThan(0);
      expect(tookMs).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
      active.node.killGroup('SIGCONT');
      await settle();
      expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
    });
  }

  it('with the active node 800 ms from the database, the cluster is never without an active node for longer than window + interval', async () => {
    await settle();
    const {
      active: [slow],
    } = await roles();
    slow.proxy.setLatency(800);
    const others = members.filter((member) => member !== slow);
    let healthyActiveSince = 0;
    // until a healthy node has been active for two windows
    const longest = await longestWithoutActive(
      members,
      async () => {
        const now = await roles(others);
        if (now.active.length === 0) healthyActiveSince = 0;
        else healthyActiveSince ||= Date.now();
        return healthyActiveSince > 0 && Date.now() - healthyActiveSince > 2 * WINDOW;
      },
      60_000,
    );
    figures['active 800 ms away: longest without an active node'] = longest;
    expect(healthyActiveSince).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(WINDOW + INTERVAL + SLACK);
    await settle();
    expect(maxBelievedActive(members.map((member) => member.node))).toBe(1);
  });

  it('reports the figures', () => {
    console.log(`slow-node figures (ms): ${JSON.stringify(figures, null, 2)}`);
    expect(Object.keys(figures).length).toBeGreaterThan(0);
  });
});
