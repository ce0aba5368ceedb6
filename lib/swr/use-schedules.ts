import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import { usePollingOptions } from '@/lib/swr/polling';
import type { TScheduleView } from '@/lib/workflow/schedules';

/** A schedule's last firing changes every slot: a short poll keeps it and the next times current. */
const SCHEDULES_REFRESH_MS = 2_000;

/** The workflow schedules with their next fire times and last firing. */
export function useSchedules() {
  const polling = usePollingOptions<TScheduleView[]>(SCHEDULES_REFRESH_MS);
  return useSWR<TScheduleView[], ApiError>('/api/schedules', fetcher, polling);
}
