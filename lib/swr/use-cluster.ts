import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TClusterStatus } from '@/lib/cluster/status';
import { refreshMsFor, usePollingOptions } from '@/lib/swr/polling';

/** The page follows the cluster at the cluster's own pace: one heartbeat interval. */
export function clusterRefreshMs(status: TClusterStatus | undefined): number {
  return refreshMsFor(status && status.settings.heartbeatIntervalSeconds * 1000);
}

/** The cluster as this node sees it; `fallbackData` is the server's first render. */
export function useCluster(fallbackData?: TClusterStatus) {
  const polling = usePollingOptions<TClusterStatus>(clusterRefreshMs);
  return useSWR<TClusterStatus, ApiError>('/api/cluster', fetcher, { ...polling, fallbackData });
}
