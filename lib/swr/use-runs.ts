import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import { usePollingOptions } from '@/lib/swr/polling';
import type { TRunStatus } from '@/lib/workflow/schemas';
import type { TRunSummary } from '@/lib/workflow/views';

export type TRunFilter = { status?: TRunStatus; workflow?: string; node?: string; limit?: number; before?: string };

export const RUNS_SHOWN = 100;

/** Runs, newest first, polled at `refreshMs` (the heartbeat interval: runs move at the cluster's pace). */
export function useRuns(filter: TRunFilter, refreshMs: number) {
  const query = new URLSearchParams({ limit: String(filter.limit ?? RUNS_SHOWN) });
  if (filter.status) query.set('status', filter.status);
  if (filter.workflow) query.set('workflow', filter.workflow);
  if (filter.node) query.set('node', filter.node);
  if (filter.before) query.set('before', filter.before);
  const polling = usePollingOptions<TRunSummary[]>(refreshMs);
  return useSWR<TRunSummary[], ApiError>(`/api/runs?${query}`, fetcher, polling);
}
