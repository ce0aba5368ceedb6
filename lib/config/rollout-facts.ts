/**
 * What a rolling reset decides on: every member's state (lib/cluster/node-state.ts), its
 * configuration fingerprints and restart times, the reference fingerprint and the cluster
 * settings. One query, database clock throughout.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
import { isLiveState, type TMemberState } from '@/lib/cluster/node-state';
import { MEMBER_FACTS_COLUMNS, MEMBER_FACTS_FROM, memberStateOf, type TMemberFactsRow } from '@/lib/cluster/member-facts';
import { livenessWindow } from '@/lib/cluster/settings';

export type TRolloutMember = {
  id: string;
  name: string;
  state: TMemberState;
  heartbeatAgeMs: number;
  activeFingerprint: string | null;
  pendingFingerprint: string | null;
  /** the process came up after the last restart request (or none was made) */
  restartedSinceRequest: boolean;
};

export type TRolloutFacts = {
  members: TRolloutMember[];
  reference: { version: number; fingerprint: string } | null;
  activeNodeCount: number;
  settingsVersion: number;
  windowMs: number;
};

type TRow = TMemberFactsRow & {
  active_fingerprint: string | null;
  pending_fingerprint: string | null;
  restarted: boolean;
};

export async function readRolloutFacts(db: TDb | TTx): Promise<TRolloutFacts> {
  const [clusters, rows, references] = await Promise.all([
    db.$queryRawUnsafe<TClusterSqlRow[]>(CLUSTER_ROW_SQL),
    db.$queryRawUnsafe<TRow[]>(`
      SELECT ${MEMBER_FACTS_COLUMNS},
             n.active_fingerprint, n.pending_fingerprint,
             (n.restart_requested_at IS NULL OR n.started_at > n.restart_requested_at) AND n.stopped_at IS NULL AS restarted
        FROM ${MEMBER_FACTS_FROM} ORDER BY n.member_no`),
    db.$queryRawUnsafe<{ version: number; fingerprint: string }[]>(
      'SELECT version, fingerprint FROM config_version ORDER BY version DESC LIMIT 1',
    ),
  ]);
  const settings = toClusterSettings(clusters[0]);
  const window = livenessWindow(settings);
  return {
    members: rows.map((row) => ({
      id: row.id,
      name: row.name,
      state: memberStateOf(row, window),
      heartbeatAgeMs: row.age_ms,
      activeFingerprint: row.active_fingerprint,
      pendingFingerprint: row.pending_fingerprint,
      restartedSinceRequest: row.restarted,
    })),
    reference: references[0] ?? null,
    activeNodeCount: settings.activeNodeCount,
    settingsVersion: settings.settingsVersion,
    windowMs: settings.intervalMs * settings.failoverHeartbeats,
  };
}

export const isLive = (member: Pick<TRolloutMember, 'state'>) => isLiveState(member.state);

/**
 * A rolling reset's coordinator counts as gone only after a long silence: it restarts itself as
 * the last step, and a restart may take longer than the failover window.
 */
export function coordinatorGone(heartbeatAgeMs: number | undefined, windowMs: number): boolean {
  return heartbeatAgeMs === undefined || heartbeatAgeMs > Math.max(60_000, 3 * windowMs);
}
