/**
 * What operator actions read before they write. Reading takes no lock: each action then makes
 * ONE statement that checks again, on the database clock, what it relies on, and changes
 * nothing when it no longer holds (a stale settings version, a node that stopped being a
 * standby). Changes of who may hold a slot (make active, settings) take the cluster-row lock
 * inside that statement (orch_lock_cluster, in the server), never across a round trip: an
 * operator's node that freezes or is cut off in the middle of an action keeps no lock.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
import { livenessWindow, type TLivenessWindow } from '@/lib/cluster/settings';
import { deriveMemberState, type TMemberState } from '@/lib/cluster/node-state';

export type TClusterFacts = {
  intervalMs: number;
  failoverHeartbeats: number;
  activeNodeCount: number;
  settingsVersion: number;
  windowMs: number;
  liveness: TLivenessWindow;
};

export async function readCluster(db: TDb | TTx): Promise<TClusterFacts> {
  const [row] = await db.$queryRawUnsafe<TClusterSqlRow[]>(CLUSTER_ROW_SQL);
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

export type TMemberFactsRow = {
  id: string;
  name: string;
  maintenance: boolean;
  removed: boolean;
  age_ms: number;
  holds_lease: boolean;
};

/** One member's facts on the database clock, or undefined when the id is unknown. */
export async function readMember(db: TDb | TTx, nodeId: string): Promise<TMemberFactsRow | undefined> {
  const [row] = await db.$queryRaw<TMemberFactsRow[]>`
    SELECT n.id, n.name, n.maintenance, n.removed_at IS NOT NULL AS removed,
           (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::float8 AS age_ms,
           EXISTS (SELECT 1 FROM active_slot s WHERE s.node_id = n.id AND s.lease_until > now()) AS holds_lease
      FROM cluster_node n WHERE n.id = ${nodeId}::uuid`;
  return row;
}

export type TMemberNow = TMemberFactsRow & { state: TMemberState };

/** The cluster's settings and one member with its state as the cluster sees it now (undefined: unknown id). */
export async function readMemberNow(
  db: TDb | TTx,
  nodeId: string,
): Promise<{ cluster: TClusterFacts; member: TMemberNow | undefined }> {
  const [cluster, member] = await Promise.all([readCluster(db), readMember(db, nodeId)]);
  if (!member) return { cluster, member: undefined };
  const state = deriveMemberState(
    {
      removed: member.removed,
      maintenance: member.maintenance,
      heartbeatAgeMs: member.age_ms,
      holdsValidLease: member.holds_lease,
    },
    cluster.liveness,
  );
  return { cluster, member: { ...member, state } };
}
