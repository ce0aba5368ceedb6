import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TUserView } from '@/lib/users/schemas';

export function useUsers() {
  return useSWR<TUserView[], ApiError>('/api/users', fetcher);
}
