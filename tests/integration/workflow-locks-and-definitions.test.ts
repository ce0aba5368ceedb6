/**
 * Locks and definitions on real nodes: an invalid definition is refused naming the element and
 * the field, and nothing is stored; two runs wanting one lock take turns, and the lock of a run
 * whose node was killed while holding it is released when the run, resumed elsewhere, finishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase, withClient } from '../helpers/database';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { api, eventsOf, importDefinition, nodeIdOf, startRun, waitForStatus } from '../helpers/workflows';

let databaseUrl: string;
let nodes: NodeProcess[];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  nodes = await startNodes(databaseUrl, 2);
});
afterAll(stopAllNodes);

const lockHolders = () =>
  withClient(databaseUrl, async (client) =>
    (await client.query<{ run_id: string }>('SELECT run_id FROM workflow_lock WHERE resource = $1', ['printer'])).rows.map(
      (row) => row.run_id,
    ),
  );

describe('workflow definitions', () => {
  it('refuses an invalid definition with 400 naming the element and field, and stores nothing', async () => {
    const { status, body } = await api<{ error: { code: string; message: string; field: string } }>(nodes[0], '/api/workflows', {
      method: 'POST',
      body: {
        name: 'Broken',
        elements: [
          { id: 'first', type: 'set', variable: 'x', expression: '1' },
          { id: 'wait', type: 'sleep', seconds: '2 *' },
        ],
      },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.field).toBe('elements.1.seconds');
    expect(body.error.message).toMatch(/^element "wait" \(elements\.1\), field "seconds": /);
    const stored = await withClient(
      databaseUrl,
      async (client) => (await client.query(`SELECT 1 FROM workflow_definition WHERE name = 'Broken'`)).rowCount,
    );
    expect(stored).toBe(0);

    const listed = await api<{ name: string }[]>(nodes[1], '/api/workflows');
    expect(listed.body.map((workflow) => workflow.name)).toContain('Cluster Test');
  });
});

describe('workflow locks', () => {
  it('two runs wanting one lock take turns, and a killed holder releases it when resumed and finished', async () => {
    await importDefinition(nodes[0], {
      name: 'Printer',
      elements: [
        { id: 'take', type: 'lock', resource: 'printer' },
        { id: 'print', type: 'sleep', seconds: 2.5 },
        { id: 'give', type: 'unlock', resource: 'printer' },
        { id: 'after', type: 'log', target: 'server', message: "'printed'" },
      ],
    });
    const [holder] = await pollUntil(
      async () => {
        const found = await activeNodes(nodes);
        return found.length === 1 ? found : undefined;
      },
      { what: 'one active node' },
    );
    const survivor = nodes.find((node) => node !== holder)!;
    const first = await startRun(holder, 'Printer');
    await pollUntil(async () => (await lockHolders()).includes(first), { what: 'the first run to hold the lock' });
    const second = await startRun(holder, 'Printer');
    // the second run waits at the lock while the first holds it
    await pollUntil(async () => (await eventsOf(databaseUrl, second)).some((event) => event.element_id === 'take'), {
      what: 'the second run at the lock',
    });
    expect(await lockHolders()).toEqual([first]);

    holder.killGroup('SIGKILL'); // while the first run holds the lock, in its sleep
    await holder.exited;
    await waitForStatus(databaseUrl, [first, second], 'COMPLETED');

    const firstEvents = await eventsOf(databaseUrl, first);
    const secondEvents = await eventsOf(databaseUrl, second);
    expect(firstEvents.find((event) => event.kind === 'RESUMED')?.node_id).toBe(nodeIdOf(survivor));
    // turns: the second run got past its lock only after the first had unlocked (its next checkpoint)
    const firstUnlocked = firstEvents.find((event) => event.kind === 'ELEMENT' && event.element_id === 'after')!;
    const secondHeld = secondEvents.find((event) => event.kind === 'ELEMENT' && event.element_id === 'print')!;
    expect(secondHeld.id).toBeGreaterThan(firstUnlocked.id);
    expect(secondHeld.at.getTime()).toBeGreaterThanOrEqual(firstUnlocked.at.getTime());
    expect(await lockHolders()).toEqual([]);
  });
});
