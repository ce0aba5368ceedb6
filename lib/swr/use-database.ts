import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TDatabaseView } from '@/lib/database/read-database-view';

/**
 * Facts about the database this node uses and how its last use or move ended (run a test with
 * apiSend('POST', '/api/database/test', …), admin). `fast` while a switch is under way.
 */
export function useDatabase(options: { fast?: boolean } = {}) {
  return useSWR<TDatabaseView, ApiError>('/api/database', fetcher, { refreshInterval: options.fast ? 1_000 : 10_000 });
}
