import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { lockCluster } from '@/lib/cluster/locked-cluster';
import { toSettingsView, type TSettingsUpdate, type TSettingsView } from '@/lib/cluster/settings';

/**
 * Changes the cluster settings. Nodes read them on every heartbeat, so the change takes effect
 * within one heartbeat with no restart. The old interval and window stay in force for liveness
 * until the old window has passed (see livenessWindow), so shrinking them declares no live node
 * dead. The version read must still be current: a concurrent edit answers 409.
 */
export async function updateSettings(db: TDb, input: TSettingsUpdate, actor: string): Promise<TSettingsView> {
  return db.$transaction((tx) => updateSettingsIn(tx, input, actor));
}

/** The same, inside a transaction the caller holds (which may have locked the cluster row already). */
export async function updateSettingsIn(tx: TTx, input: TSettingsUpdate, actor: string): Promise<TSettingsView> {
  const current = await lockCluster(tx);
  const before = toSettingsView({ ...current, heartbeatIntervalMs: current.intervalMs, version: current.settingsVersion });
  if (input.version !== current.settingsVersion) {
    throw new AppError(
      'STALE_VERSION',
      `the settings were changed by someone else (now version ${before.version}: heartbeat ${before.heartbeatIntervalSeconds} s × ${before.failoverHeartbeats}, ${before.activeNodeCount} active)`,
      { field: 'version' },
    );
  }
  const intervalMs = Math.round((input.heartbeatIntervalSeconds ?? before.heartbeatIntervalSeconds) * 1000);
  const failoverHeartbeats = input.failoverHeartbeats ?? current.failoverHeartbeats;
  const activeNodeCount = input.activeNodeCount ?? current.activeNodeCount;
  // during the grace of an earlier change, keep its longer values: nodes may not have seen it yet
  const previousIntervalMs = Math.round(current.liveness.effectiveIntervalMs);
  const previousWindowMs = Math.round(current.liveness.notRespondingAfterMs);
  // settings_changed_at on the database clock, like every time liveness compares against
  await tx.$executeRaw`
    UPDATE cluster
       SET heartbeat_interval_ms = ${intervalMs}, failover_heartbeats = ${failoverHeartbeats},
           active_node_count = ${activeNodeCount}, settings_version = settings_version + 1,
           settings_changed_at = now(), previous_interval_ms = ${previousIntervalMs}, previous_window_ms = ${previousWindowMs}
     WHERE id = 1`;
  const after = toSettingsView({ heartbeatIntervalMs: intervalMs, failoverHeartbeats, activeNodeCount, version: current.settingsVersion + 1 });
  await tx.clusterEvent.create({ data: { kind: 'SETTINGS_CHANGED', actor, details: { before, after } } });
  return after;
}
