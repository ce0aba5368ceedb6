/**
 * Hostile workflows and plugins on real node processes (issue 12, findings 6 and 7), two nodes
 * at 1 s × 3 on one database:
 * - a plugin action whose result's getters loop for ever, or that allocates without bound, fails
 *   its run with a reason, while the active node keeps heartbeating (no failover, its last
 *   heartbeat never older than the window);
 * - a `set` that grows a string ×1000, variables over 1 MiB and a log line over 8 KiB meet their
 *   caps; a string input over 64 KiB is refused with 400 naming it;
 * - a run whose checkpoint the database refuses, or whose element keeps failing, is failed
 *   rather than taken up for ever.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes, seedCluster, theActiveNode as theActiveNodeOf } from '../helpers/cluster';
import { createTestDatabase, withClient } from '../helpers/database';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { api, eventsOf, importDefinition, nodeIdOf, startRun } from '../helpers/workflows';

const SETTINGS = { intervalMs: 1_000, failoverHeartbeats: 3 };
const WINDOW_MS = SETTINGS.intervalMs * SETTINGS.failoverHeartbeats;

const HOSTILE_PLUGIN = {
  format: 'orch-plugin/1',
  manifest: {
    name: 'hostile',
    version: '1.0.0',
    description: 'Actions that attack the node that runs them.',
    actions: [
      { name: 'getterForever', inputs: {}, output: 'json' },
      { name: 'allocateForever', inputs: {}, output: 'json' },
      { name: 'nulString', inputs: {}, output: 'string' },
      { name: 'behindHostGetters', inputs: {}, output: 'number' },
    ],
  },
  code: [
    // the names the old host read and assigned on the plugin's global, on its own thread, after the timeout
    "for (const name of ['__result', '__action', '__input']) Object.defineProperty(globalThis, name, { get() { for (;;) {} }, set(value) { for (;;) {} } });",
    'exports.behindHostGetters = () => 42;',
    'exports.getterForever = () => ({ get ok() { for (;;) {} }, get error() { for (;;) {} }, toJSON() { for (;;) {} } });',
    'exports.allocateForever = () => { const all = []; for (;;) all.push(new Array(100000).fill(all.length)); };',
    // a string PostgreSQL cannot hold in jsonb: every checkpoint that carries it is refused
    "exports.nulString = () => 'a\\u0000b';",
  ].join('\n'),
};

const x1000 = `'${'x'.repeat(1_000)}'`;
const sixtyTimes = Array.from({ length: 60 }, () => 's').join(' + ');

const WORKFLOWS = [
  { name: 'getter-forever', elements: [{ id: 'call', type: 'action', plugin: 'hostile', action: 'getterForever', output: 'r' }] },
  {
    name: 'host-getters',
    elements: [{ id: 'call', type: 'action', plugin: 'hostile', action: 'behindHostGetters', output: 'r' }],
  },
  {
    name: 'allocate-forever',
    elements: [{ id: 'call', type: 'action', plugin: 'hostile', action: 'allocateForever', output: 'r' }],
  },
  {
    name: 'grow-string',
    elements: [
      { id: 'seed', type: 'set', variable: 's', expression: `'${'x'.repeat(100)}'` },
      // ×999 in one element; two such elements made 4 MB before the cap
      { id: 'grow', type: 'set', variable: 's', expression: Array.from({ length: 999 }, () => 's').join('+') },
      { id: 'again', type: 'set', variable: 's', expression: Array.from({ length: 999 }, () => 's').join('+') },
    ],
  },
  {
    name: 'long-log-line',
    elements: [
      { id: 'seed', type: 'set', variable: 's', expression: x1000 },
      { id: 'grow', type: 'set', variable: 's', expression: sixtyTimes },
      { id: 'say', type: 'log', target: 'server', message: 's' },
    ],
  },
  {
    name: 'big-variables',
    elements: [
      { id: 'seed', type: 'set', variable: 's', expression: x1000 },
      { id: 'grow', type: 'set', variable: 's', expression: sixtyTimes },
      ...Array.from({ length: 20 }, (_, index) => ({
        id: `v${index + 1}`,
        type: 'set',
        variable: `v${index + 1}`,
        expression: 's',
      })),
    ],
  },
  {
    name: 'refused-checkpoint',
    elements: [
      { id: 'call', type: 'action', plugin: 'hostile', action: 'nulString', output: 'r' },
      { id: 'after', type: 'log', target: 'server', message: "'never'" },
    ],
  },
  { name: 'failing-element', elements: [{ id: 'write', type: 'log', target: 'system', message: "'hello'" }] },
  {
    name: 'echo',
    inputs: [{ name: 'text', type: 'string' }],
    elements: [{ id: 'say', type: 'log', target: 'server', message: 'text' }],
  },
];

let databaseUrl: string;
const nodes: NodeProcess[] = [];

type TRunRow = { status: string; error: string | null; retries: number; attempt: number };

async function runRow(runId: string): Promise<TRunRow> {
  return withClient(
    databaseUrl,
    async (client) =>
      (await client.query<TRunRow>('SELECT status, error, retries, attempt FROM workflow_run WHERE id = $1', [runId])).rows[0],
  );
}

async function waitForEnd(runId: string, timeoutMs = 90_000): Promise<TRunRow> {
  return pollUntil(
    async () => {
      const row = await runRow(runId);
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status) ? row : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `run ${runId} to end` },
  );
}

type TWatch = { maxHeartbeatAgeMs: number; samples: number };

/**
 * Samples, every 100 ms until the run ends, the active node's last heartbeat age on the database
 * clock and the slot's holder: throws at once when the heartbeat is older than the window, the
 * node is seen as late or not responding, or the slot changes hands (a failover).
 */
async function watchWhileRunning(active: NodeProcess, runId: string): Promise<TWatch & { run: TRunRow }> {
  const nodeId = nodeIdOf(active);
  const slotBefore = await withClient(databaseUrl, async (client) =>
    (
      await client.query<{ holder: string }>(
        `SELECT node_id || '/' || epoch AS holder FROM active_slot WHERE node_id IS NOT NULL`,
      )
    ).rows.map((row) => row.holder),
  );
  let maxHeartbeatAgeMs = 0;
  let samples = 0;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const sample = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ age_ms: number; observed: string; holders: string[]; status: string }>(
            `SELECT (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::float8 AS age_ms, n.observed,
                  ARRAY(SELECT node_id || '/' || epoch FROM active_slot WHERE node_id IS NOT NULL) AS holders,
                  (SELECT status FROM workflow_run WHERE id = $2) AS status
             FROM cluster_node n WHERE n.id = $1`,
            [nodeId, runId],
          )
        ).rows[0],
    );
    samples += 1;
    maxHeartbeatAgeMs = Math.max(maxHeartbeatAgeMs, sample.age_ms);
    if (sample.age_ms >= WINDOW_MS)
      throw new Error(
        `the active node's last heartbeat is ${Math.round(sample.age_ms)} ms old (window ${WINDOW_MS} ms) while the plugin runs`,
      );
    if (sample.observed !== 'ALIVE') throw new Error(`the active node is observed as ${sample.observed} while the plugin runs`);
    expect(sample.holders, 'the active slot changed hands: a failover').toEqual(slotBefore);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(sample.status))
      return { maxHeartbeatAgeMs, samples, run: await runRow(runId) };
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end within 90 s (status ${sample.status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const theActiveNode = () => theActiveNodeOf(nodes);

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, SETTINGS);
  for (const name of ['h1', 'h2']) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-node-'));
    await mkdir(path.join(dataDir, 'plugins'));
    await writeFile(path.join(dataDir, 'plugins', 'hostile.orchplugin'), JSON.stringify(HOSTILE_PLUGIN));
    // the system log cannot be written (a directory where the file goes): a log-to-system element fails every time
    await mkdir(path.join(dataDir, 'logs', 'system.log'), { recursive: true });
    nodes.push(await startNode({ databaseUrl, name, dataDir }));
  }
  const active = await theActiveNode();
  for (const definition of WORKFLOWS) await importDefinition(active, definition);
});
afterAll(stopAllNodes);

describe('hostile plugins cannot block the node', () => {
  it('a result whose getters loop for ever fails the run, naming the time limit, and the node keeps its heartbeat', async () => {
    const active = await theActiveNode();
    const runId = await startRun(active, 'getter-forever');
    const watched = await watchWhileRunning(active, runId);
    expect(watched.run.status).toBe('FAILED');
    expect(watched.run.error).toMatch(
      /^element "call": hostile\.getterForever failed: it (used more than \d+ ms of CPU time|did not answer within \d+ ms) and was stopped$/,
    );
    expect(watched.maxHeartbeatAgeMs).toBeLessThan(WINDOW_MS);
    console.log(
      `getter-forever: last heartbeat at most ${Math.round(watched.maxHeartbeatAgeMs)} ms old over ${watched.samples} samples (window ${WINDOW_MS} ms)`,
    );
    expect(await activeNodes(nodes)).toEqual([active]);
  });

  it('getters and setters the plugin put on its global for the host never run on the node: the action completes, the heartbeat goes on', async () => {
    const active = await theActiveNode();
    const runId = await startRun(active, 'host-getters');
    const watched = await watchWhileRunning(active, runId);
    expect(watched.run).toMatchObject({ status: 'COMPLETED', error: null });
    const variables = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query<{ variables: { r: number } }>('SELECT variables FROM workflow_run WHERE id = $1', [runId])).rows[0]
          .variables,
    );
    expect(variables.r).toBe(42);
    expect(await activeNodes(nodes)).toEqual([active]);
  });

  it('an action that allocates without bound fails the run, naming memory, and the node keeps its heartbeat', async () => {
    const active = await theActiveNode();
    const runId = await startRun(active, 'allocate-forever');
    const watched = await watchWhileRunning(active, runId);
    expect(watched.run.status).toBe('FAILED');
    expect(watched.run.error).toBe(
      'element "call": hostile.allocateForever failed: it ran out of memory (a plugin action may use 64 MiB of heap, 112 MiB in all) and was stopped',
    );
    console.log(
      `allocate-forever: last heartbeat at most ${Math.round(watched.maxHeartbeatAgeMs)} ms old over ${watched.samples} samples (window ${WINDOW_MS} ms)`,
    );
    expect(await activeNodes(nodes)).toEqual([active]);
  });
});

describe('caps on what a run produces', () => {
  it('a set that grows a string ×1000 fails the run at that element, naming the 64 KiB cap', async () => {
    const runId = await startRun(await theActiveNode(), 'grow-string');
    const run = await waitForEnd(runId);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(
      /^element "grow": "\+" would make a string of \d+ (characters or more|bytes); a string value is at most 64 KiB \(65536 bytes\)$/,
    );
  });

  it('variables over 1 MiB fail the run at the element that would make them, keeping the last stored ones', async () => {
    const runId = await startRun(await theActiveNode(), 'big-variables');
    const run = await waitForEnd(runId);
    expect(run.status).toBe('FAILED');
    // s and v1…v16 are 17 × 60 000 bytes; v17 makes them 1 080 000 and more
    expect(run.error).toMatch(
      /^element "v17": the run's variables would be \d+ bytes as JSON; they are at most 1 MiB \(1048576 bytes\)$/,
    );
    const stored = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ bytes: number }>('SELECT octet_length(variables::text) AS bytes FROM workflow_run WHERE id = $1', [
            runId,
          ])
        ).rows[0],
    );
    expect(stored.bytes).toBeLessThan(1_048_576);
  });

  it('a log line over 8 KiB is cut, with a marker, and the run completes', async () => {
    const runId = await startRun(await theActiveNode(), 'long-log-line');
    expect((await waitForEnd(runId)).status).toBe('COMPLETED');
    const [entry] = await withClient(
      databaseUrl,
      async (client) =>
        (await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1', [runId])).rows,
    );
    expect(Buffer.byteLength(entry.message)).toBeLessThanOrEqual(8 * 1024);
    expect(entry.message).toMatch(/^x+ … \[cut: 60000 bytes; at most 8 KiB\]$/);
  });

  it('a string input over 64 KiB is refused with 400 naming it, and starts nothing', async () => {
    const active = await theActiveNode();
    const refused = await api<{ error: { code: string; field: string; message: string } }>(active, '/api/workflows/echo/runs', {
      method: 'POST',
      body: { inputs: { text: 'y'.repeat(70_000) } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'VALIDATION',
      field: 'inputs.text',
      message: 'inputs.text is 70000 bytes; a string value is at most 64 KiB (65536 bytes)',
    });
    const runs = await withClient(
      databaseUrl,
      async (client) => (await client.query("SELECT id FROM workflow_run WHERE workflow_name = 'echo'")).rows,
    );
    expect(runs).toEqual([]);
  });
});

describe('nothing is retried for ever', () => {
  it('a run whose checkpoint the database refuses fails at once, naming the element, instead of being taken up again', async () => {
    const runId = await startRun(await theActiveNode(), 'refused-checkpoint');
    const run = await waitForEnd(runId);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/^the database refused the checkpoint after element "call" \(.*Unicode escape sequence.*\)$/);
    const events = await eventsOf(databaseUrl, runId);
    expect(events.filter((event) => event.kind === 'RESUMED')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ kind: 'FAILED', element_id: 'call' });
  });

  it('an element that fails every time is taken up again at most 10 times, then the run fails saying so', async () => {
    const runId = await startRun(await theActiveNode(), 'failing-element');
    const run = await waitForEnd(runId);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(
      'element "write" was taken up again 11 times without completing (its node stopped, or its checkpoint failed, each time); a run is retried at most 10 times at one element',
    );
    const resumed = (await eventsOf(databaseUrl, runId)).filter((event) => event.kind === 'RESUMED');
    expect(resumed).toHaveLength(10);
  });
});
