import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TDeliveryView, TTargetView } from '@/lib/notify/schemas';
import { usePollingOptions } from '@/lib/swr/polling';

/** The notification targets (never their secrets). */
export function useNotificationTargets() {
  return useSWR<TTargetView[], ApiError>('/api/notifications/targets', fetcher);
}

/** The delivery log, newest first, refreshed every 2 s (a test's result shows up on its own). */
export function useNotificationDeliveries() {
  const polling = usePollingOptions<TDeliveryView[]>(2_000);
  return useSWR<TDeliveryView[], ApiError>('/api/notifications/deliveries?limit=30', fetcher, polling);
}
