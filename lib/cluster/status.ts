/**
 * The cluster as this node sees it (GET /api/cluster, `orchctl status`, the cluster page):
 * settings, and every member with its state derived in lib/cluster/node-state.ts from facts
 * measured on the database clock.
 */
import type { TDb } from '@/lib/db/client';
import { isLiveState, type TMemberState } from '@/lib/cluster/node-state';
import { MEMBER_FACTS_COLUMNS, MEMBER_FACTS_FROM, memberStateOf, type TMemberFactsRow } from '@/lib/cluster/member-facts';
import { allowedNodeActions, type TNodeActionKind } from '@/lib/cluster/node-actions';
import type { TRole } from '@/lib/auth/roles';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
import { livenessWindow, toSettingsView, type TLivenessWindow, type TSettingsView } from '@/lib/cluster/settings';
import { deriveAlarms, type TAlarm } from '@/lib/cluster/alarms';
import { deriveSyncStates, isConverged, type TSyncState } from '@/lib/config/sync-state';
import { readReference, readLatestRollout, type TReferenceView, type TRolloutView } from '@/lib/config/reference-view';
import { coordinatorGone } from '@/lib/config/rollout-facts';
import { AppError } from '@/lib/api/app-error';
import { nodeRuntime } from '@/lib/node/runtime';

type TNodeRow = TMemberFactsRow & {
  url: string;
  version: string;
  removed_at: Date | null;
  clock_skew_ms: number | null;
  registered_at: Date;
  started_at: Date;
  active_fingerprint: string | null;
  pending_fingerprint: string | null;
  local_changes: boolean;
  keeps_own_certificate: boolean;
  applied_config_version: number | null;
  config_unreadable: string | null;
  certificate_not_after: string | null;
  /** the names and addresses the certificate the node serves covers (null: no certificate) */
  certificate_sans: string[] | null;
  slot: number | null;
  epoch: string | null;
};

export type TMemberView = {
  id: string;
  name: string;
  url: string;
  state: TMemberState;
  local: boolean;
  lastHeartbeatAgeMs: number;
  syncState: TSyncState;
  restartPending: boolean;
  epoch: number | null;
  slot: number | null;
  maintenance: boolean;
  clockSkewMs: number | null;
  version: string;
  registeredAt: string;
  startedAt: string;
  removedAt: string | null;
  activeFingerprint: string | null;
  pendingFingerprint: string | null;
  localChanges: boolean;
  keepsOwnCertificate: boolean;
  appliedConfigVersion: number | null;
  /** why the node cannot read its own configuration (null: it can); its sync state is UNREADABLE then */
  configUnreadable: string | null;
  /** what the user who asked may do to this member now (lib/cluster/node-actions.ts) */
  actions: TNodeActionKind[];
};

export type TClusterStatus = {
  clusterId: string | null;
  name: string;
  standalone: boolean;
  epoch: number;
  settings: TSettingsView;
  nodes: TMemberView[];
  reference: TReferenceView | null;
  /** every live node runs the reference (or, before the first push, the same configuration) */
  converged: boolean;
  /** the latest rolling reset, with each node's step */
  rollout: TRolloutView | null;
  alarms: TAlarm[];
  /** the node that answered: its id and what its agent knows about itself */
  local: { id: string; databaseReachable: boolean; clockSkewMs: number | null };
};

export async function readClusterIdentity(db: TDb): Promise<{ clusterId: string; name: string }> {
  const row = await db.cluster.findUniqueOrThrow({ where: { id: 1 }, select: { clusterId: true, name: true } });
  return row;
}

/** The cluster; `viewer` is the role of whoever asks, which decides the members' allowed actions (none without one). */
export async function readClusterStatus(db: TDb, viewer: TRole | null = null): Promise<TClusterStatus> {
  const runtime = nodeRuntime();
  const [clusters, nodes, reference, rollout] = await Promise.all([
    db.$queryRawUnsafe<TClusterSqlRow[]>(CLUSTER_ROW_SQL),
    db.$queryRawUnsafe<TNodeRow[]>(`
      SELECT ${MEMBER_FACTS_COLUMNS}, n.url, n.version, n.removed_at, n.clock_skew_ms, n.registered_at, n.started_at,
             n.active_fingerprint, n.pending_fingerprint, n.local_changes, n.keeps_own_certificate, n.applied_config_version, n.config_unreadable,
             n.active_config -> 'certificate' ->> 'notAfter' AS certificate_not_after,
             n.active_config -> 'certificate' -> 'sans' AS certificate_sans,
             lease.slot, lease.epoch::text AS epoch
        FROM ${MEMBER_FACTS_FROM}
       ORDER BY n.member_no`),
    readReference(db),
    readLatestRollout(db),
  ]);
  const cluster = clusters[0];
  const window = livenessWindow(toClusterSettings(cluster));
  const members = withSyncStates(
    nodes.map((node) => toMemberView(node, window, runtime.identity.id, viewer)),
    reference?.fingerprint ?? null,
  );
  const agent = runtime.agent.status();
  return {
    clusterId: runtime.standalone ? null : cluster.cluster_id,
    name: cluster.name,
    standalone: runtime.standalone,
    epoch: Number(cluster.epoch),
    settings: toSettingsView({
      heartbeatIntervalMs: cluster.interval_ms,
      failoverHeartbeats: cluster.failover_heartbeats,
      activeNodeCount: cluster.active_node_count,
      version: cluster.settings_version,
    }),
    nodes: members,
    reference,
    converged: isConverged(members.map((member) => ({ live: isLiveMember(member), syncState: member.syncState }))),
    rollout: rollout && withStall(rollout, members, cluster.interval_ms * cluster.failover_heartbeats),
    alarms: deriveAlarms({
      activeNodeCount: cluster.active_node_count,
      nodes: members.map((member, index) => ({
        ...member,
        certificateNotAfter: nodes[index].certificate_not_after,
        certificateSans: nodes[index].certificate_sans,
      })),
    }),
    local: { id: runtime.identity.id, databaseReachable: agent.databaseReachable, clockSkewMs: agent.clockSkewMs },
  };
}

/** One member, and the gaps between its recent heartbeats (database time) for the lag chart. */
export async function readNodeDetail(
  db: TDb,
  nodeId: string,
  viewer: TRole | null = null,
): Promise<{ node: TMemberView; recentGapsMs: number[]; intervalMs: number }> {
  const status = await readClusterStatus(db, viewer);
  const node = status.nodes.find((member) => member.id === nodeId);
  if (!node) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  const row = await db.clusterNode.findUnique({ where: { id: nodeId }, select: { recentGapsMs: true } });
  return { node, recentGapsMs: row?.recentGapsMs ?? [], intervalMs: status.settings.heartbeatIntervalSeconds * 1000 };
}

const isLiveMember = (member: TMemberView) => isLiveState(member.state);

/** A rolling reset whose coordinator stopped responding goes no further: say so. */
function withStall(rollout: TRolloutView, members: TMemberView[], windowMs: number): TRolloutView {
  const coordinator = members.find((member) => member.id === rollout.coordinatorNode);
  return { ...rollout, stalled: rollout.status === 'RUNNING' && coordinatorGone(coordinator?.lastHeartbeatAgeMs, windowMs) };
}

function withSyncStates(members: TMemberView[], referenceFingerprint: string | null): TMemberView[] {
  const states = deriveSyncStates(
    members.map((member) => ({
      id: member.id,
      live: isLiveMember(member),
      activeFingerprint: member.activeFingerprint,
      pendingFingerprint: member.pendingFingerprint,
      localChanges: member.localChanges,
      unreadable: member.configUnreadable !== null,
    })),
    referenceFingerprint,
  );
  return members.map((member) => ({ ...member, syncState: states.get(member.id) ?? 'IN_SYNC' }));
}

function toMemberView(node: TNodeRow, window: TLivenessWindow, localId: string, viewer: TRole | null): TMemberView {
  const state = memberStateOf(node, window);
  return {
    id: node.id,
    name: node.name,
    url: node.url,
    state,
    local: node.id === localId,
    lastHeartbeatAgeMs: Math.round(node.age_ms),
    syncState: 'IN_SYNC', // decided for all members together, in withSyncStates
    restartPending:
      node.active_fingerprint !== null &&
      node.pending_fingerprint !== null &&
      node.active_fingerprint !== node.pending_fingerprint,
    epoch: node.epoch === null ? null : Number(node.epoch),
    slot: node.slot,
    maintenance: node.maintenance,
    clockSkewMs: node.clock_skew_ms,
    version: node.version,
    registeredAt: node.registered_at.toISOString(),
    startedAt: node.started_at.toISOString(),
    removedAt: node.removed_at?.toISOString() ?? null,
    activeFingerprint: node.active_fingerprint,
    pendingFingerprint: node.pending_fingerprint,
    localChanges: node.local_changes,
    keepsOwnCertificate: node.keeps_own_certificate,
    appliedConfigVersion: node.applied_config_version,
    configUnreadable: node.config_unreadable,
    actions: allowedNodeActions({ state, maintenance: node.maintenance }, viewer),
  };
}
