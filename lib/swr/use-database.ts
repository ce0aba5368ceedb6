import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TDatabaseFacts } from '@/lib/database/show-database';

/** Facts about the database this node uses (run a test with apiSend('POST', '/api/database/test', …), admin). */
export function useDatabase() {
  return useSWR<TDatabaseFacts, ApiError>('/api/database', fetcher, { refreshInterval: 10_000 });
}
