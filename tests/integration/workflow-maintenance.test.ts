/**
 * Maintenance drains: the node put in maintenance finishes its current element, checkpoints it
 * and hands its runs over before it gives its slot back, so the new active node goes on with no
 * element executed twice (a sleep in progress is cut short and goes on to its stored end there).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { activeNodes, ROOT, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase, withClient } from '../helpers/database';
import { stopAllNodes } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { eventsOf, nodeIdOf, startRun, systemCounts, waitForStatus } from '../helpers/workflows';

afterAll(stopAllNodes);

describe('maintenance', () => {
  it('hands the runs over after their current element: nothing runs twice', async () => {
    const databaseUrl = await createTestDatabase();
    await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
    const nodes = await startNodes(databaseUrl, 2);
    const [first] = await pollUntil(
      async () => {
        const found = await activeNodes(nodes);
        return found.length === 1 ? found : undefined;
      },
      { what: 'one active node' },
    );
    const second = nodes.find((node) => node !== first)!;

    const runId = await startRun(first, 'Cluster Test', { count: 6 });
    await pollUntil(() => systemCounts(first, runId).length >= 2, { what: 'two counts on the first node' });
    const maintenance = await fetch(`${first.url}/api/cluster/nodes/${nodeIdOf(first)}/maintenance`, {
      method: 'PUT',
      headers: { authorization: ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(maintenance.status).toBe(200);
    await waitForStatus(databaseUrl, [runId], 'COMPLETED', 60_000);

    const counts = [...systemCounts(first, runId), ...systemCounts(second, runId)];
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    const events = await eventsOf(databaseUrl, runId);
    const handedOver = events.find((event) => event.kind === 'HANDED_OVER');
    expect(handedOver?.node_id).toBe(nodeIdOf(first));
    // handed over while the node still held its slot: before it gave the slot back
    const [released] = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query(
            `SELECT at FROM cluster_event WHERE kind = 'BECAME_STANDBY' AND node_id = $1 AND details ->> 'reason' = 'maintenance'`,
            [nodeIdOf(first)],
          )
        ).rows,
    );
    expect(handedOver!.at.getTime()).toBeLessThanOrEqual((released.at as Date).getTime());
    // the new node takes the run up at the element it was handed over at, as its attempt 2: most
    // often the sleep, cut short (it goes on to its stored end), or an element the first node had
    // checkpointed as next and not begun. Nothing else starts again, and the counts above show
    // that no element's effect happened twice
    const resumed = events.filter((event) => event.kind === 'RESUMED');
    expect(resumed).toHaveLength(1);
    expect(
      events.filter(
        (event) => event.kind === 'ELEMENT' && (event.attempt ?? 1) > 1 && event.element_id !== resumed[0].element_id,
      ),
    ).toEqual([]);
    expect(systemCounts(second, runId).length).toBeGreaterThan(0);
  });
});
