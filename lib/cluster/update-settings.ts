import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readCluster } from '@/lib/cluster/locked-cluster';
import { toSettingsView, type TSettingsUpdate, type TSettingsView } from '@/lib/cluster/settings';
import { freezePoint } from '@/lib/cluster/test-freeze';

/**
 * Changes the cluster settings. Nodes read them on every heartbeat, so the change takes effect
 * within one heartbeat with no restart. The old interval and window stay in force for liveness
 * until the old window has passed (see livenessWindow), so shrinking them declares no live node
 * dead. The version read must still be current: a concurrent edit answers 409. The write is one
 * statement that takes the cluster-row lock and checks the version inside the server, so no
 * lock outlives it.
 */
export async function updateSettings(db: TDb | TTx, input: TSettingsUpdate, actor: string): Promise<TSettingsView> {
  const current = await readCluster(db);
  const before = toSettingsView({ ...current, heartbeatIntervalMs: current.intervalMs, version: current.settingsVersion });
  const stale = () =>
    new AppError(
      'STALE_VERSION',
      `the settings were changed by someone else (now version ${before.version}: heartbeat ${before.heartbeatIntervalSeconds} s × ${before.failoverHeartbeats}, ${before.activeNodeCount} active)`,
      { field: 'version' },
    );
  if (input.version !== current.settingsVersion) throw stale();
  const intervalMs = Math.round((input.heartbeatIntervalSeconds ?? before.heartbeatIntervalSeconds) * 1000);
  const failoverHeartbeats = input.failoverHeartbeats ?? current.failoverHeartbeats;
  const activeNodeCount = input.activeNodeCount ?? current.activeNodeCount;
  // during the grace of an earlier change, keep its longer values: nodes may not have seen it yet
  const previousIntervalMs = Math.round(current.liveness.effectiveIntervalMs);
  const previousWindowMs = Math.round(current.liveness.notRespondingAfterMs);
  const after = toSettingsView({
    heartbeatIntervalMs: intervalMs,
    failoverHeartbeats,
    activeNodeCount,
    version: current.settingsVersion + 1,
  });
  // settings_changed_at on the database clock, like every time liveness compares against; the
  // version read is checked under the lock: the facts above are still the ones in force
  const pending = db.$queryRaw<{ changed: boolean }[]>`
    WITH locked AS (SELECT settings_version FROM orch_lock_cluster()),
    changed AS (
      UPDATE cluster
         SET heartbeat_interval_ms = ${intervalMs}, failover_heartbeats = ${failoverHeartbeats},
             active_node_count = ${activeNodeCount}, settings_version = settings_version + 1,
             settings_changed_at = now(), previous_interval_ms = ${previousIntervalMs}, previous_window_ms = ${previousWindowMs}
       WHERE id = 1 AND settings_version = (SELECT settings_version FROM locked) AND settings_version = ${current.settingsVersion}
      RETURNING id
    ),
    recorded AS (
      INSERT INTO cluster_event (kind, actor, details)
      SELECT 'SETTINGS_CHANGED', ${actor}, ${JSON.stringify({ before, after })}::jsonb FROM changed
    )
    SELECT EXISTS (SELECT 1 FROM changed) AS changed`.then((rows) => rows);
  await freezePoint('settings', pending);
  const [row] = await pending;
  if (!row?.changed) throw stale();
  return after;
}
