import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { THistoryEntry, TVersionComparison } from '@/lib/config/config-history';

/** The kept pushed configuration versions, newest first; read again when the reference changes. */
export function useConfigHistory(referenceVersion: number | null | undefined) {
  return useSWR<{ versions: THistoryEntry[] }, ApiError>(`/api/config/versions?reference=${referenceVersion ?? 0}`, fetcher);
}

/** The difference between two versions, once both are chosen. */
export function useVersionComparison(pair: { from: number; to: number } | null) {
  return useSWR<TVersionComparison, ApiError>(
    pair ? `/api/config/versions/compare?from=${pair.from}&to=${pair.to}` : null,
    fetcher,
  );
}
