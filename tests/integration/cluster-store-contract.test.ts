/**
 * The store contract on PgClusterStore, each case on a fresh migrated database. Lease expiry is
 * real time on the database clock: the cases that wait for it use a 400 ms window and poll.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { PgClusterStore } from '@/lib/cluster/pg-store';
import { describeClusterStoreContract } from '../helpers/cluster-store-contract';
import { createTestDatabase, withClient } from '../helpers/database';

const QUERY_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
/** room for a loaded machine on top of the store time a case allows */
const SLACK_MS = 10_000;

describeClusterStoreContract('PgClusterStore', async (settings) => {
  const databaseUrl = await createTestDatabase();
  const windowMs = settings.intervalMs * settings.failoverHeartbeats;
  await withClient(databaseUrl, (client) =>
    client.query(
      `INSERT INTO cluster (id, cluster_id, name, heartbeat_interval_ms, failover_heartbeats, active_node_count, previous_interval_ms, previous_window_ms)
       VALUES (1, $1, 'contract', $2, $3, $4, $2, $5)`,
      [randomUUID(), settings.intervalMs, settings.failoverHeartbeats, settings.activeNodeCount, windowMs],
    ),
  );
  const store = new PgClusterStore(databaseUrl, () => QUERY_TIMEOUT_MS);
  const run = (sql: string, values: unknown[]) => withClient(databaseUrl, (client) => client.query(sql, values));
  return {
    store,
    async eventually(attempt, withinMs) {
      const deadline = Date.now() + withinMs + SLACK_MS;
      for (;;) {
        const value = await attempt();
        if (value !== null) return value;
        if (Date.now() >= deadline) throw new Error(`nothing within ${withinMs} ms (and ${SLACK_MS} ms of slack)`);
        await delay(POLL_MS);
      }
    },
    async setMaintenance(nodeId, enabled) {
      await run('UPDATE cluster_node SET maintenance = $2 WHERE id = $1', [nodeId, enabled]);
    },
    async remove(nodeId) {
      await run(`UPDATE cluster_node SET removed_at = now(), removed_by = 'contract' WHERE id = $1`, [nodeId]);
    },
    async requestHandover(nodeId) {
      // the operator's statement itself (lib/cluster/make-active.ts), with the claims' lateness
      const { rows } = await run(`SELECT orch_request_handover($1, 'contract', 60000) AS answer`, [nodeId]);
      if (rows[0]?.answer?.slot !== 0) throw new Error(`hand-over not reserved on slot 0: ${JSON.stringify(rows[0]?.answer)}`);
    },
    dispose: () => store.close(),
  };
});
