/** Clusters of real node processes for integration tests. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { activePeriods, BELIEF_LOG_FILE, maxConcurrentActive, type TBeliefRecord } from '@/lib/cluster/belief-log';
import type { TClusterStatus } from '@/lib/cluster/status';
import type { THealth } from '@/lib/cluster/health';
import { withClient } from './database';
import { pollUntil } from './poll';
import { basicAuth, ROOT_PASSWORD, startNode, type NodeProcess } from './node-process';

export const ROOT = basicAuth('root', ROOT_PASSWORD);

/** Creates the cluster row with the given settings, as the first node would (so tests need not wait for defaults). */
export async function seedCluster(
  databaseUrl: string,
  settings: { intervalMs: number; failoverHeartbeats: number; activeNodeCount?: number },
) {
  const windowMs = settings.intervalMs * settings.failoverHeartbeats;
  await withClient(databaseUrl, (client) =>
    client.query(
      `INSERT INTO cluster (id, cluster_id, name, heartbeat_interval_ms, failover_heartbeats, active_node_count, previous_interval_ms, previous_window_ms)
       VALUES (1, $1, 'test', $2, $3, $4, $2, $5)`,
      [randomUUID(), settings.intervalMs, settings.failoverHeartbeats, settings.activeNodeCount ?? 1, windowMs],
    ),
  );
}

/** Starts nodes one after the other (so their order in line is known). */
export async function startNodes(databaseUrl: string, count: number, prefix = 'n'): Promise<NodeProcess[]> {
  const nodes: NodeProcess[] = [];
  for (let index = 1; index <= count; index += 1) nodes.push(await startNode({ databaseUrl, name: `${prefix}${index}` }));
  return nodes;
}

/**
 * Starts nodes side by side, for a test that does not care which of them is first in line: on
 * 2 cores three nodes are up in about 7 s instead of 8.5 s one after the other (their start-up is
 * mostly CPU). Their order in line is whichever registered first.
 */
export function startNodesTogether(databaseUrl: string, count: number, prefix = 'n'): Promise<NodeProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => startNode({ databaseUrl, name: `${prefix}${index + 1}` })));
}

/** The node's /api/health, or undefined when it does not answer (within TIMEOUT_MS). */
export async function health(node: NodeProcess, timeoutMs = 2_000): Promise<THealth | undefined> {
  try {
    const response = await fetch(`${node.url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return (await response.json()) as THealth;
  } catch {
    return undefined;
  }
}

export async function clusterStatus(node: NodeProcess): Promise<TClusterStatus> {
  const response = await fetch(`${node.url}/api/cluster`, {
    headers: { authorization: ROOT },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`status from ${node.url}: HTTP ${response.status}`);
  return (await response.json()) as TClusterStatus;
}

/** The nodes (among those given, which must be running) whose health says ACTIVE. */
export async function activeNodes(nodes: NodeProcess[]): Promise<NodeProcess[]> {
  const states = await Promise.all(nodes.map((node) => health(node)));
  return nodes.filter((_, index) => states[index]?.state === 'ACTIVE');
}

export function stateOf(status: TClusterStatus, name: string): string | undefined {
  return status.nodes.find((node) => node.name === name)?.state;
}

export function beliefRecords(nodes: NodeProcess[]): TBeliefRecord[] {
  return nodes.flatMap((node) => {
    const file = path.join(node.dataDir, BELIEF_LOG_FILE);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TBeliefRecord);
  });
}

/** From the nodes' own records: the most nodes that ever believed themselves active at once. */
export function maxBelievedActive(nodes: NodeProcess[]): number {
  return maxConcurrentActive(activePeriods(beliefRecords(nodes)));
}

/**
 * The active members and the standbys among `members`, first in line (member order) first, from
 * each node's own health answer.
 */
export async function rolesInMemberOrder<T extends { node: NodeProcess; id: string }>(
  databaseUrl: string,
  members: T[],
): Promise<{ active: T[]; standbys: T[] }> {
  const states = await Promise.all(members.map((member) => health(member.node)));
  const order = await withClient(databaseUrl, async (client) =>
    (await client.query<{ id: string }>('SELECT id FROM cluster_node ORDER BY member_no')).rows.map((row) => row.id),
  );
  const byOrder = [...members].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return {
    active: byOrder.filter((member) => states[members.indexOf(member)]?.state === 'ACTIVE'),
    standbys: byOrder.filter((member) => states[members.indexOf(member)]?.state === 'STANDBY'),
  };
}

/** The one node (among those given) whose health says ACTIVE, once there is exactly one. */
export async function theActiveNode(nodes: NodeProcess[]): Promise<NodeProcess> {
  const [active] = await pollUntil(
    async () => {
      const found = await activeNodes(nodes);
      return found.length === 1 ? found : undefined;
    },
    { what: 'one active node' },
  );
  return active;
}

/**
 * Samples the nodes' health every EVERY_MS until stopped, noting each sample in which none of
 * them said ACTIVE: "an ACTIVE node throughout" is `gaps` empty over enough `samples`.
 */
export function watchForAnActiveNode(
  nodes: NodeProcess[],
  everyMs = 50,
): { stop(): Promise<{ samples: number; gaps: string[] }> } {
  let watching = true;
  let samples = 0;
  const gaps: string[] = [];
  const watcher = (async () => {
    while (watching) {
      const reports = await Promise.all(nodes.map((node) => health(node)));
      samples += 1;
      if (!reports.some((report) => report?.state === 'ACTIVE'))
        gaps.push(`${new Date().toISOString()} ${JSON.stringify(reports.map((report) => report?.state))}`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      watching = false;
      await watcher;
      return { samples, gaps };
    },
  };
}
