import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import { usePollingOptions } from '@/lib/swr/polling';
import type { TWorkflowSummary } from '@/lib/workflow/views';

/** Workflows change only by import: a slow poll keeps another operator's import visible. */
const WORKFLOWS_REFRESH_MS = 10_000;

/** Every workflow at its latest version (import with apiSend('POST', '/api/workflows', definition), then mutate). */
export function useWorkflows() {
  const polling = usePollingOptions<TWorkflowSummary[]>(WORKFLOWS_REFRESH_MS);
  return useSWR<TWorkflowSummary[], ApiError>('/api/workflows', fetcher, polling);
}
