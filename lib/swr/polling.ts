import { useSWRConfig, type SWRConfiguration } from 'swr';
import type { ApiError } from '@/lib/api/fetcher';

export const DEFAULT_REFRESH_MS = 2_000;
export const MIN_REFRESH_MS = 500;

/** How often a page polls a resource that follows the heartbeat: once per interval, never faster than 500 ms. */
export function refreshMsFor(intervalMs: number | undefined): number {
  return Math.max(MIN_REFRESH_MS, intervalMs ?? DEFAULT_REFRESH_MS);
}

/**
 * SWR options for a polled resource. `pace` must be stable (a number or a module-level
 * function): SWR restarts its timer whenever it changes.
 * - keeps the previous data while a new key loads, so lists do not collapse;
 * - deduplicates only within 200 ms, so short intervals are not stretched to SWR's 2 s default;
 * - while a key is in error SWR stops polling and backs off exponentially; retrying at the
 *   polling pace instead lets the page recover as soon as an outage ends.
 */
export function usePollingOptions<T>(pace: number | ((data: T | undefined) => number)): SWRConfiguration<T, ApiError> {
  const { cache } = useSWRConfig();
  return {
    refreshInterval: pace,
    keepPreviousData: true,
    dedupingInterval: 200,
    onErrorRetry: (_error, key, _config, revalidate, options) => {
      const delay = typeof pace === 'number' ? pace : pace(cache.get(key)?.data as T | undefined);
      setTimeout(revalidate, delay, options);
    },
  };
}

/** Revalidates every cluster resource on the page (status, node detail, events): the "Refresh" button and after an action. */
export function useRefreshCluster(): () => Promise<unknown> {
  const { mutate } = useSWRConfig();
  return () => mutate((key) => typeof key === 'string' && key.startsWith('/api/cluster'));
}
