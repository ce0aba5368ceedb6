import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TServerSettingsView } from '@/lib/config/update-server-settings';

/** This node's server settings: on disk, in force, and which of them need a restart (change with apiSend('PUT', …), admin). */
export function useServerSettings() {
  return useSWR<TServerSettingsView, ApiError>('/api/config/settings', fetcher);
}
