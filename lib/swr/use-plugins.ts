import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TPluginsWithState } from '@/lib/plugins/plugin-switches';

/** The plugin packages installed on this node, and the files in its plugins directory that are not valid packages. */
export function usePlugins() {
  return useSWR<TPluginsWithState, ApiError>('/api/config/plugins', fetcher);
}
