import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TNodeConfiguration } from '@/lib/config/read-node-configuration';
import { usePollingOptions } from '@/lib/swr/polling';

/**
 * One member's configuration against the reference, field by field, polled at `refreshMs` (the
 * heartbeat interval) while it is shown; pass a null id to fetch nothing.
 */
export function useNodeConfiguration(id: string | null, refreshMs: number) {
  const polling = usePollingOptions<TNodeConfiguration>(refreshMs);
  return useSWR<TNodeConfiguration, ApiError>(
    id ? `/api/cluster/nodes/${encodeURIComponent(id)}/configuration` : null,
    fetcher,
    polling,
  );
}
