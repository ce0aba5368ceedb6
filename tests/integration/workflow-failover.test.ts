/**
 * Workflow runs that survive failover, on real node processes at 1 s × 3: the Cluster Test goes
 * on from its checkpoint on another node after kill -9 of its node; a frozen (SIGSTOP) owner
 * does nothing more for its former runs once it wakes; two active nodes share 30 runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { activeNodes, seedCluster, startNodesTogether, theActiveNode } from '../helpers/cluster';
import { createTestDatabase, withClient } from '../helpers/database';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import {
  eventsOf,
  importDefinition,
  nodeIdOf,
  startRun,
  systemCounts,
  systemLog,
  waitForStatus,
  type TEventRow,
} from '../helpers/workflows';

afterEach(stopAllNodes);

const SETTINGS = { intervalMs: 1_000, failoverHeartbeats: 3 };
const RUNS = 30;
const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];

async function serverCounts(databaseUrl: string, runId: string): Promise<number[]> {
  return withClient(databaseUrl, async (client) =>
    (
      await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1 ORDER BY id', [runId])
    ).rows.map((row) => Number(row.message.replace('count ', ''))),
  );
}

/** Every count's element events: once, except at most one count that ran again as attempt 2. */
function expectEachCountOnce(events: TEventRow[], elementId: string, count: number): number[] {
  const perCount = new Map<number, TEventRow[]>();
  for (const event of events.filter((e) => e.kind === 'ELEMENT' && e.element_id === elementId)) {
    const n = Number(event.message?.replace('count ', ''));
    perCount.set(n, [...(perCount.get(n) ?? []), event]);
  }
  expect([...perCount.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  const repeated = [...perCount.entries()].filter(([, list]) => list.length > 1);
  expect(repeated.length).toBeLessThanOrEqual(1);
  for (const [, list] of repeated) expect(list.map((e) => e.attempt)).toEqual([1, 2]);
  return repeated.map(([n]) => n);
}

describe('workflow runs and failover', () => {
  it('Cluster Test goes on from its checkpoint on the other node after kill -9 of its node', async () => {
    const databaseUrl = await createTestDatabase();
    await seedCluster(databaseUrl, SETTINGS);
    const nodes = await startNodesTogether(databaseUrl, 2);
    const first = await theActiveNode(nodes);
    const second = nodes.find((node) => node !== first)!;

    const started = await runOrchctl(['workflow', 'run', '--url', first.url, ...asRoot, 'Cluster Test', '--input', 'count=8']);
    expect(started.code, started.stderr).toBe(0);
    const runId = started.stdout.trim();
    await pollUntil(async () => (await serverCounts(databaseUrl, runId)).length >= 3, { what: 'three counts' });
    first.killGroup('SIGKILL');
    await first.exited;

    await waitForStatus(databaseUrl, [runId], 'COMPLETED');
    expect(await serverCounts(databaseUrl, runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // the server log: exactly once each
    const events = await eventsOf(databaseUrl, runId);
    expectEachCountOnce(events, 'server-log', 8);
    expectEachCountOnce(events, 'system-log', 8);
    const resumed = events.filter((event) => event.kind === 'RESUMED');
    expect(resumed).toHaveLength(1);
    expect(resumed[0].node_id).toBe(nodeIdOf(second));
    expect(resumed[0].message).toMatch(/^resumed by node n\d at element [\w-]+, attempt 2, epoch \d+$/);
    // every element after the takeover ran on the new node under its epoch
    const after = events.filter((event) => event.id > resumed[0].id && event.kind === 'ELEMENT');
    expect(new Set(after.map((event) => `${event.node_id}/${event.epoch}`))).toEqual(
      new Set([`${nodeIdOf(second)}/${resumed[0].epoch}`]),
    );

    // the system logs: the killed node's holds the first counts, the new node's only those after the takeover
    const before = systemCounts(first, runId);
    const later = systemCounts(second, runId);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(later.at(-1)).toBe(8);
    expect(later[0]).toBeGreaterThanOrEqual(before.at(-1)!);
    expect(later).toEqual(Array.from({ length: later.length }, (_, i) => later[0] + i));
    expect(new Set([...before, ...later]).size).toBe(8);

    const shown = await runOrchctl(['workflow', 'show', '--url', second.url, ...asRoot, runId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const run = JSON.parse(shown.stdout) as {
      status: string;
      events: unknown[];
      timeline: { nodeName: string; epoch: number }[];
    };
    expect(run.status).toBe('COMPLETED');
    expect(run.events.length).toBe(events.length);
    expect(run.timeline.at(-1)?.nodeName).toBe(second === nodes[0] ? 'n1' : 'n2');
  });

  it('a frozen owner (SIGSTOP past the window) executes no further element of its former runs after SIGCONT', async () => {
    const databaseUrl = await createTestDatabase();
    await seedCluster(databaseUrl, SETTINGS);
    const nodes = await startNodesTogether(databaseUrl, 2);
    const frozen = await theActiveNode(nodes);
    const other = nodes.find((node) => node !== frozen)!;
    const runId = await startRun(frozen, 'Cluster Test', { count: 7 });
    await pollUntil(async () => (await serverCounts(databaseUrl, runId)).length >= 2, { what: 'two counts' });

    const serverPid = frozen.serverPid()!;
    process.kill(serverPid, 'SIGSTOP');
    let continuedAt: number;
    try {
      await pollUntil(async () => (await eventsOf(databaseUrl, runId)).some((event) => event.kind === 'RESUMED'), {
        what: 'the other node to resume the run',
      });
    } finally {
      continuedAt = Date.now();
      process.kill(serverPid, 'SIGCONT');
    }
    await waitForStatus(databaseUrl, [runId], 'COMPLETED');

    const events = await eventsOf(databaseUrl, runId);
    const resumed = events.find((event) => event.kind === 'RESUMED')!;
    expect(resumed.node_id).toBe(nodeIdOf(other));
    // nothing by the woken node after the takeover: no element started, no checkpoint written
    expect(events.filter((event) => event.id > resumed.id && event.node_id === nodeIdOf(frozen))).toEqual([]);
    expectEachCountOnce(events, 'server-log', 7);
    // and no system log line for the run after it woke up
    const frozenLines = systemLog(frozen).filter((line) => line.runId === runId);
    expect(frozenLines.filter((line) => Date.parse(line.time) >= continuedAt)).toEqual([]);
    expect(new Set([...systemCounts(frozen, runId), ...systemCounts(other, runId)]).size).toBe(7);
  });

  it('two active nodes share 30 runs: both execute some, all complete, no element runs twice', async () => {
    const databaseUrl = await createTestDatabase();
    await seedCluster(databaseUrl, { ...SETTINGS, activeNodeCount: 2 });
    const nodes = await startNodesTogether(databaseUrl, 2);
    await pollUntil(async () => (await activeNodes(nodes)).length === 2, { what: 'two active nodes' });
    await importDefinition(nodes[0], {
      name: 'Short',
      inputs: [{ name: 'k', type: 'number', default: 0 }],
      elements: [
        { id: 'one', type: 'set', variable: 'x', expression: 'k * 2' },
        { id: 'nap', type: 'sleep', seconds: 0.5 },
        { id: 'note', type: 'log', target: 'server', message: "'done ' + x" },
        { id: 'end', type: 'end' },
      ],
    });
    // more runs than one claim takes (a node's 10 places and a queue of as many): whichever node
    // claims first, runs are left for the other, which claims every 200 ms while the first
    // node's places stay taken for the runs' half-second nap
    const runIds = await Promise.all(Array.from({ length: RUNS }, (_, k) => startRun(nodes[k % 2], 'Short', { k })));
    await waitForStatus(databaseUrl, runIds, 'COMPLETED');

    const events = (await eventsOf(databaseUrl)).filter((event) => runIds.includes(event.run_id));
    const elements = events.filter((event) => event.kind === 'ELEMENT');
    expect(elements).toHaveLength(RUNS * 4);
    expect(new Set(elements.map((event) => `${event.run_id}/${event.element_id}`)).size).toBe(RUNS * 4);
    expect(elements.every((event) => event.attempt === 1)).toBe(true);
    expect(events.filter((event) => event.kind === 'RESUMED')).toEqual([]);
    const byNode = new Set(elements.map((event) => event.node_id));
    expect(byNode).toEqual(new Set(nodes.map(nodeIdOf)));
    const logs = await withClient(
      databaseUrl,
      async (client) => (await client.query('SELECT count(*)::int AS n FROM workflow_log_entry')).rows[0].n,
    );
    expect(logs).toBe(RUNS);
  });
});
