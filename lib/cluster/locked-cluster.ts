/**
 * Operator actions change who may hold a slot: each runs in a transaction that first locks the
 * cluster row, the same lock every claim takes, so they never interleave with an election.
 */
import type { TTx } from '@/lib/db/client';
import { livenessWindow, type TLivenessWindow } from '@/lib/cluster/settings';

export type TLockedCluster = {
  intervalMs: number;
  failoverHeartbeats: number;
  activeNodeCount: number;
  settingsVersion: number;
  windowMs: number;
  liveness: TLivenessWindow;
};

export async function lockCluster(tx: TTx): Promise<TLockedCluster> {
  const [row] = await tx.$queryRaw<
    {
      interval_ms: number;
      failover_heartbeats: number;
      active_node_count: number;
      settings_version: number;
      previous_interval_ms: number;
      previous_window_ms: number;
      since_change_ms: number;
    }[]
  >`SELECT heartbeat_interval_ms AS interval_ms, failover_heartbeats, active_node_count, settings_version,
           previous_interval_ms, previous_window_ms,
           (extract(epoch FROM now() - settings_changed_at) * 1000)::float8 AS since_change_ms
      FROM cluster WHERE id = 1 FOR UPDATE`;
  return {
    intervalMs: row.interval_ms,
    failoverHeartbeats: row.failover_heartbeats,
    activeNodeCount: row.active_node_count,
    settingsVersion: row.settings_version,
    windowMs: row.interval_ms * row.failover_heartbeats,
    liveness: livenessWindow({
      intervalMs: row.interval_ms,
      failoverHeartbeats: row.failover_heartbeats,
      previousIntervalMs: row.previous_interval_ms,
      previousWindowMs: row.previous_window_ms,
      sinceChangeMs: row.since_change_ms,
    }),
  };
}

export type TMemberFactsRow = { id: string; name: string; maintenance: boolean; removed: boolean; age_ms: number; holds_lease: boolean };

/** One member's facts on the database clock, or undefined when the id is unknown. */
export async function readMember(tx: TTx, nodeId: string): Promise<TMemberFactsRow | undefined> {
  const [row] = await tx.$queryRaw<TMemberFactsRow[]>`
    SELECT n.id, n.name, n.maintenance, n.removed_at IS NOT NULL AS removed,
           (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::float8 AS age_ms,
           EXISTS (SELECT 1 FROM active_slot s WHERE s.node_id = n.id AND s.lease_until > now()) AS holds_lease
      FROM cluster_node n WHERE n.id = ${nodeId}::uuid FOR UPDATE`;
  return row;
}
