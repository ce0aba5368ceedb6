'use client';

import { apiSend } from '@/lib/api/fetcher';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { useApiCall } from '@/components/ui/use-api-call';

/** Ends a run that has not finished (its locks are freed); the node executing it drops it at its next checkpoint. */
export function CancelRunButton({ id, onCancelled }: { id: string; onCancelled: () => Promise<unknown> }) {
  const { failure, call } = useApiCall();

  async function cancel() {
    await call(() => apiSend('POST', `/api/runs/${id}/cancel`));
    await onCancelled();
  }

  return (
    <span className="inline-flex flex-col items-end">
      <ConfirmButton label="Cancel run" question="Cancel this run?" confirmLabel="Cancel the run" onConfirm={cancel} />
      {failure && <span className="mt-1 text-sm text-red-700">The run was not cancelled: {failure.message}</span>}
    </span>
  );
}
