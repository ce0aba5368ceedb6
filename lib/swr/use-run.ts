import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import { refreshMsFor, usePollingOptions } from '@/lib/swr/polling';
import type { TSystemLogView } from '@/lib/workflow/read-system-log';
import type { TRunDetail, TRunLogEntryView } from '@/lib/workflow/views';

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** A finished run does not change: stop polling it (0 turns SWR's interval off). */
function runRefreshMs(run: TRunDetail | undefined): number {
  return run && FINISHED.has(run.status) ? 0 : refreshMsFor(undefined);
}

/** One run with its events, variables and element timeline; cancel with apiSend('POST', `/api/runs/${id}/cancel`). */
export function useRun(id: string | undefined) {
  const polling = usePollingOptions<TRunDetail>(runRefreshMs);
  return useSWR<TRunDetail, ApiError>(id ? `/api/runs/${id}` : null, fetcher, polling);
}

/** The run's server log, polled at `refreshMs` (pass 0 once the run has finished). */
export function useRunLogs(id: string | undefined, refreshMs: number) {
  const polling = usePollingOptions<TRunLogEntryView[]>(refreshMs);
  return useSWR<TRunLogEntryView[], ApiError>(id ? `/api/runs/${id}/logs` : null, fetcher, polling);
}

/** This node's system log tail (the Logs page: each node shows its own file). */
export function useSystemLog(lines: number, refreshMs: number) {
  const polling = usePollingOptions<TSystemLogView>(refreshMs);
  return useSWR<TSystemLogView, ApiError>(`/api/logs/system?lines=${lines}`, fetcher, polling);
}
