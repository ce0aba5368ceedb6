import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TJoinInfo } from '@/lib/join/schemas';

/** What a joining node needs from this one: cluster id and name, the certificate's fingerprint, the version. */
export function useJoinInfo() {
  return useSWR<TJoinInfo, ApiError>('/api/cluster/join-info', fetcher);
}
