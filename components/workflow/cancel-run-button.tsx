'use client';

import { useState } from 'react';
import { apiSend, toApiError } from '@/lib/api/fetcher';
import { ConfirmButton } from '@/components/ui/confirm-button';

/** Ends a run that has not finished (its locks are freed); the node executing it drops it at its next checkpoint. */
export function CancelRunButton({ id, onCancelled }: { id: string; onCancelled: () => Promise<unknown> }) {
  const [failure, setFailure] = useState<string | null>(null);

  async function cancel() {
    setFailure(null);
    try {
      await apiSend('POST', `/api/runs/${id}/cancel`);
    } catch (error) {
      setFailure(toApiError(error).message);
    }
    await onCancelled();
  }

  return (
    <span className="inline-flex flex-col items-end">
      <ConfirmButton label="Cancel run" question="Cancel this run?" confirmLabel="Cancel the run" onConfirm={cancel} />
      {failure && <span className="mt-1 text-sm text-red-700">The run was not cancelled: {failure}</span>}
    </span>
  );
}
