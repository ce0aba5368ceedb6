/**
 * The cluster row as every reader needs it: identity, epoch and settings, with the time since
 * the last settings change measured on the database clock. One query text and one mapping,
 * shared by the agent's store, the operator actions and the status view.
 */
import type { TClusterSettingsRow } from '@/lib/cluster/store';

/** The columns of TClusterSqlRow, for a statement that reads more of the cluster row in the same scan. */
export const CLUSTER_ROW_COLUMNS = `
         cluster_id, name, epoch::text AS epoch, heartbeat_interval_ms AS interval_ms, failover_heartbeats,
         active_node_count, settings_version, previous_interval_ms, previous_window_ms,
         (extract(epoch FROM now() - settings_changed_at) * 1000)::float8 AS since_change_ms`;

export const CLUSTER_ROW_SQL = `
  SELECT ${CLUSTER_ROW_COLUMNS}
    FROM cluster WHERE id = 1`;

export type TClusterSqlRow = {
  cluster_id: string;
  name: string;
  epoch: string;
  interval_ms: number;
  failover_heartbeats: number;
  active_node_count: number;
  settings_version: number;
  previous_interval_ms: number;
  previous_window_ms: number;
  since_change_ms: number;
};

export function toClusterSettings(row: TClusterSqlRow): TClusterSettingsRow {
  return {
    intervalMs: row.interval_ms,
    failoverHeartbeats: row.failover_heartbeats,
    activeNodeCount: row.active_node_count,
    settingsVersion: row.settings_version,
    previousIntervalMs: row.previous_interval_ms,
    previousWindowMs: row.previous_window_ms,
    sinceChangeMs: Number(row.since_change_ms),
  };
}
