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
import type { TMemberState } from '@/lib/cluster/node-state';
import { MEMBER_FACTS_COLUMNS, MEMBER_FACTS_FROM, memberStateOf, type TMemberFactsRow } from '@/lib/cluster/member-facts';

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

/** One member's facts on the database clock, or undefined when the id is unknown. */
export async function readMember(db: TDb | TTx, nodeId: string): Promise<TMemberFactsRow | undefined> {
  const [row] = await db.$queryRawUnsafe<TMemberFactsRow[]>(
    `SELECT ${MEMBER_FACTS_COLUMNS} FROM ${MEMBER_FACTS_FROM} WHERE n.id = $1::uuid`,
    nodeId,
  );
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
  return { cluster, member: { ...member, state: memberStateOf(member, cluster.liveness) } };
}
