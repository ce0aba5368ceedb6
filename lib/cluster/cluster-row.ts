/**
 * The cluster row as every reader needs it: identity, epoch and settings, with the time since
 * the last settings change measured on the database clock. One query text and one mapping,
 * shared by the agent's store, the operator actions and the status view.
 */
import type { TClusterSettingsRow } from '@/lib/cluster/store';

/**
 * The settings columns (TSettingsSqlRow) alone: what the heartbeat reads of the cluster row on
 * every beat. Every column a statement returns costs the server a type lookup and an output call
 * on every execution, and the heartbeat has no use for the identity columns. date_part is a
 * float8; extract would build a numeric, only for the cast to throw it away.
 */
export const SETTINGS_COLUMNS = `
         heartbeat_interval_ms AS interval_ms, failover_heartbeats, active_node_count, settings_version,
         previous_interval_ms, previous_window_ms, date_part('epoch', now() - settings_changed_at) * 1000 AS since_change_ms`;

/**
 * The same settings as one JSON column (a TSettingsSqlRow), for a statement that returns them
 * only when they changed: one nullable column costs less on each execution than seven.
 */
export const SETTINGS_JSON = `json_build_object(
         'interval_ms', heartbeat_interval_ms, 'failover_heartbeats', failover_heartbeats, 'active_node_count', active_node_count,
         'settings_version', settings_version, 'previous_interval_ms', previous_interval_ms, 'previous_window_ms', previous_window_ms,
         'since_change_ms', date_part('epoch', now() - settings_changed_at) * 1000)`;

/** The columns of TClusterSqlRow, for a statement that reads more of the cluster row in the same scan. */
export const CLUSTER_ROW_COLUMNS = `
         cluster_id, name, epoch::text AS epoch, ${SETTINGS_COLUMNS}`;

export const CLUSTER_ROW_SQL = `
  SELECT ${CLUSTER_ROW_COLUMNS}
    FROM cluster WHERE id = 1`;

export type TSettingsSqlRow = {
  interval_ms: number;
  failover_heartbeats: number;
  active_node_count: number;
  settings_version: number;
  previous_interval_ms: number;
  previous_window_ms: number;
  since_change_ms: number;
};

export type TClusterSqlRow = TSettingsSqlRow & {
  cluster_id: string;
  name: string;
  epoch: string;
};

export function toClusterSettings(row: TSettingsSqlRow): TClusterSettingsRow {
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
