/**
 * Retention: an active node deletes finished runs older than `runRetentionDays`, with their events
 * and server log entries (the database does not grow without bound); running and recent runs stay.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes } from '../helpers/node-process';
import { health, ROOT, seedCluster } from '../helpers/cluster';
import { startRun, waitForStatus } from '../helpers/workflows';

afterAll(stopAllNodes);

describe('retention', () => {
  it('prunes finished runs past the retention with their events and log, keeps the others', async () => {
    const databaseUrl = await createTestDatabase();
    await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
    let node = await startNode({ databaseUrl, name: 'keeper' });
    await pollUntil(async () => (await health(node))?.state === 'ACTIVE', { what: 'the node to be active' });
    const settings = await fetch(`${node.url}/api/config/settings`, {
      method: 'PUT',
      headers: { authorization: ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ runRetentionDays: 7 }),
    });
    expect(settings.status).toBe(200);
    const [old, recent] = [
      await startRun(node, 'Cluster Test', { count: 1 }),
      await startRun(node, 'Cluster Test', { count: 1 }),
    ];
    await waitForStatus(databaseUrl, [old, recent], 'COMPLETED');
    // one of them finished eight days ago, as far as the database knows
    await withClient(databaseUrl, (client) =>
      client.query(`UPDATE workflow_run SET finished_at = now() - interval '8 days' WHERE id = $1`, [old]),
    );

    // a node prunes when it becomes active and then at most once a minute: restart it to prune now
    const { dataDir, port } = node;
    await node.stop();
    node = await startNode({ databaseUrl, dataDir, port, name: 'keeper' });
    const count = (table: string, runId: string) =>
      withClient(
        databaseUrl,
        async (client) =>
          (
            await client.query(
              `SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'workflow_run' ? 'id' : 'run_id'} = $1`,
              [runId],
            )
          ).rows[0].n as number,
      );
    await pollUntil(async () => (await count('workflow_run', old)) === 0, { what: 'the old run to be pruned' });
    expect([await count('workflow_run_event', old), await count('workflow_log_entry', old)]).toEqual([0, 0]);
    expect(await count('workflow_run', recent)).toBe(1);
    expect(await count('workflow_run_event', recent)).toBeGreaterThan(0);
  });
});
