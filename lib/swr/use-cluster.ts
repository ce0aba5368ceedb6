import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TClusterStatus } from '@/lib/cluster/status';

export const CLUSTER_REFRESH_MS = 2000;

/** The cluster as this node sees it, polled so the page follows state changes by itself. */
export function useCluster() {
  return useSWR<TClusterStatus, ApiError>('/api/cluster', fetcher, { refreshInterval: CLUSTER_REFRESH_MS });
}
