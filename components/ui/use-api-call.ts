'use client';

import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from '@/lib/api/fetcher';

/**
 * What every form and button that calls the API keeps: `busy` while a call is in flight and the
 * last call's `failure` (an `ApiError`, so a form can put the message next to its field).
 * `call(work)` clears the failure, runs the work, keeps its error, and says whether it succeeded.
 */
export function useApiCall() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);

  const call = useCallback(async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
      return true;
    } catch (error) {
      setFailure(toApiError(error));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  return { busy, failure, setFailure, call };
}
