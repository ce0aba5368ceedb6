import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TTokenView } from '@/lib/tokens/schemas';

/** The signed-in user's own API tokens. */
export function useTokens() {
  return useSWR<TTokenView[], ApiError>('/api/tokens', fetcher);
}
