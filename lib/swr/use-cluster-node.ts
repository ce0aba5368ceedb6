import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TMemberView } from '@/lib/cluster/status';
import { refreshMsFor, usePollingOptions } from '@/lib/swr/polling';

/** GET /api/cluster/nodes/:id: one member, and the database time between its recent heartbeats (newest last). */
export type TNodeDetail = { node: TMemberView; recentGapsMs: number[]; intervalMs: number };

function nodeRefreshMs(detail: TNodeDetail | undefined): number {
  return refreshMsFor(detail?.intervalMs);
}

export function useClusterNode(id: string, fallbackData?: TNodeDetail) {
  const polling = usePollingOptions<TNodeDetail>(nodeRefreshMs);
  return useSWR<TNodeDetail, ApiError>(`/api/cluster/nodes/${encodeURIComponent(id)}`, fetcher, { ...polling, fallbackData });
}
