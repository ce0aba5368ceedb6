/**
 * The cluster as this node sees it (GET /api/cluster, `orchctl status`). Until the cluster core
 * lands, a node is standalone: the cluster is this one node, active, with default settings.
 */
import { nodeRuntime } from '@/lib/node/runtime';

export const DEFAULT_SETTINGS = { heartbeatIntervalSeconds: 2, failoverHeartbeats: 5, activeNodeCount: 1, version: 0 };

export function readClusterStatus() {
  const runtime = nodeRuntime();
  const status = runtime.status();
  return {
    clusterId: status.clusterId,
    settings: DEFAULT_SETTINGS,
    nodes: [
      {
        id: runtime.identity.id,
        name: runtime.identity.name,
        url: runtime.identity.advertiseUrl,
        state: status.state,
        local: true,
        lastHeartbeatAgeMs: 0,
        syncState: 'IN_SYNC' as const,
        restartPending: false,
        epoch: status.epoch,
        version: runtime.version,
        startedAt: runtime.startedAt.toISOString(),
        activeFingerprint: null,
        pendingFingerprint: null,
      },
    ],
    reference: null,
  };
}
export type TClusterStatus = ReturnType<typeof readClusterStatus>;
