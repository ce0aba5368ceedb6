'use client';

import { useState } from 'react';
import { apiSend, toApiError } from '@/lib/api/fetcher';
import { Button } from '@/components/ui/button';

/**
 * A run that failed and waits for an operator: set variables (a JSON object of the ones to
 * change) and resume it at the failed element. Elements it completed do not run again.
 */
export function ResumeRunForm({
  id,
  elementId,
  onResumed,
}: {
  id: string;
  elementId: string;
  onResumed: () => Promise<unknown>;
}) {
  const [text, setText] = useState('{}');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function resume() {
    setFailure(null);
    let variables: unknown;
    try {
      variables = JSON.parse(text);
    } catch (error) {
      setFailure(`the variables are not JSON (${(error as Error).message})`);
      return;
    }
    setBusy(true);
    try {
      await apiSend('POST', `/api/runs/${id}/resume`, { variables });
    } catch (error) {
      setFailure(toApiError(error).message);
    } finally {
      setBusy(false);
    }
    await onResumed();
  }

  return (
    <section
      aria-labelledby="resume-heading"
      className="rounded-md border border-red-300 bg-red-50 px-3.5 py-3 text-sm text-red-950"
    >
      <h2 id="resume-heading" className="font-semibold">
        Waiting for an operator at element {elementId}
      </h2>
      <p className="mt-1">
        Set the variables to change (a JSON object, e.g. {'{"retries": 3}'}), then resume: the run starts element {elementId}{' '}
        again; the elements before it do not run again.
      </p>
      <label className="mt-2 block font-medium" htmlFor="resume-variables">
        Variables to set
      </label>
      <textarea
        id="resume-variables"
        value={text}
        onChange={(event) => setText(event.target.value)}
        rows={3}
        className="mt-1 block w-full max-w-xl rounded-md border border-gray-300 bg-white p-2 font-mono text-sm text-gray-900"
      />
      <div className="mt-2 flex items-center gap-3">
        <Button variant="primary" disabled={busy} onClick={resume}>
          Resume run
        </Button>
        {failure && <span className="text-red-700">The run was not resumed: {failure}</span>}
      </div>
    </section>
  );
}
