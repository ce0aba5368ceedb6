import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TMemberSystemLog } from '@/lib/logs/serve-system-log';
import { usePollingOptions } from '@/lib/swr/polling';

/** A member's system log (this node's when `node` is empty), read through the node answering. */
export function useMemberSystemLog(node: string, lines: number, refreshMs: number) {
  const polling = usePollingOptions<TMemberSystemLog>(refreshMs);
  const query = new URLSearchParams({ lines: String(lines) });
  if (node) query.set('node', node);
  return useSWR<TMemberSystemLog, ApiError>(`/api/logs/system?${query}`, fetcher, polling);
}
