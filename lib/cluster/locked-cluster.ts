/**
 * Operator actions change who may hold a slot: each runs in a transaction that first locks the
 * cluster row, the same lock every claim takes, so they never interleave with an election.
 */
import type { TTx } from '@/lib/db/client';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
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
  const [row] = await tx.$queryRawUnsafe<TClusterSqlRow[]>(`${CLUSTER_ROW_SQL} FOR UPDATE`);
  const settings = toClusterSettings(row);
  return {
    intervalMs: settings.intervalMs,
    failoverHeartbeats: settings.failoverHeartbeats,
    activeNodeCount: settings.activeNodeCount,
    settingsVersion: settings.settingsVersion,
    windowMs: settings.intervalMs * settings.failoverHeartbeats,
    liveness: livenessWindow(settings),
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
