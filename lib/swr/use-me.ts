import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TUser } from '@/lib/auth/roles';

/** The signed-in user as the API sees it (pages get it from the server; this is for widgets that outlive a role change). */
export function useMe() {
  return useSWR<TUser, ApiError>('/api/me', fetcher);
}
