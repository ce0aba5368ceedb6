import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TAuthConfigView } from '@/lib/auth/directory/schemas';

/** How users sign in (admin); change it with apiSend('PUT', '/api/auth/config', { version, … }). */
export function useAuthConfig() {
  return useSWR<TAuthConfigView, ApiError>('/api/auth/config', fetcher);
}
