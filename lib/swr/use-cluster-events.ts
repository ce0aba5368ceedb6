import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TClusterEventView } from '@/lib/cluster/events';
import { usePollingOptions } from '@/lib/swr/polling';

export type TEventFilter = { node?: string; kind?: string; limit?: number };

export const EVENTS_SHOWN = 50;

/** The cluster's events, newest first, polled at `refreshMs` (the heartbeat interval). */
export function useClusterEvents(filter: TEventFilter, refreshMs: number) {
  const query = new URLSearchParams({ limit: String(filter.limit ?? EVENTS_SHOWN) });
  if (filter.node) query.set('node', filter.node);
  if (filter.kind) query.set('kind', filter.kind);
  const polling = usePollingOptions<TClusterEventView[]>(refreshMs);
  return useSWR<TClusterEventView[], ApiError>(`/api/cluster/events?${query}`, fetcher, polling);
}
