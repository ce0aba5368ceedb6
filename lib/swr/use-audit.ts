import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TAuditEntryView } from '@/lib/audit/list-audit';
import { usePollingOptions } from '@/lib/swr/polling';

/** The audit log, newest first, optionally one user's; refreshed every 5 s. */
export function useAudit(actor: string) {
  const polling = usePollingOptions<TAuditEntryView[]>(5_000);
  const key = actor ? `/api/audit?actor=${encodeURIComponent(actor)}` : '/api/audit';
  return useSWR<TAuditEntryView[], ApiError>(key, fetcher, polling);
}
