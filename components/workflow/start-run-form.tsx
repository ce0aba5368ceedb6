'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useSWRConfig } from 'swr';
import { apiSend } from '@/lib/api/fetcher';
import type { TWorkflowInput } from '@/lib/workflow/schemas';
import type { TRunSummary, TWorkflowSummary } from '@/lib/workflow/views';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { shortId } from '@/components/workflow/format';
import { useApiCall } from '@/components/ui/use-api-call';

type TValues = Record<string, string | boolean>;

function initialValues(inputs: TWorkflowInput[]): TValues {
  return Object.fromEntries(
    inputs.map((input) => [
      input.name,
      input.type === 'boolean' ? (input.default ?? false) : input.default === undefined ? '' : String(input.default),
    ]),
  );
}

/**
 * The typed inputs of a workflow, filled with their defaults. Values go to the API as typed: it
 * converts them to the input's type and names the input when one is wrong.
 */
export function StartRunForm({ workflow }: { workflow: TWorkflowSummary }) {
  const { mutate } = useSWRConfig();
  const [values, setValues] = useState<TValues>(() => initialValues(workflow.inputs));
  const { busy, failure, call } = useApiCall();
  const [started, setStarted] = useState<TRunSummary | null>(null);
  const fields = workflow.inputs.map((input) => `inputs.${input.name}`);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStarted(null);
    await call(async () => {
      const run = await apiSend<TRunSummary>('POST', `/api/workflows/${encodeURIComponent(workflow.name)}/runs`, {
        inputs: values,
      });
      setStarted(run);
      void mutate((key) => typeof key === 'string' && key.startsWith('/api/runs'));
    });
  }

  return (
    <form onSubmit={submit} aria-label={`Start ${workflow.name}`} className="space-y-3" noValidate>
      <p className="text-sm font-medium text-gray-900">Start {workflow.name}</p>
      {failure && !failure.isAboutAny(fields) && <Alert title="The run was not started">{failure.message}</Alert>}
      {workflow.inputs.length === 0 && <p className="text-sm text-gray-600">This workflow takes no inputs.</p>}
      <div className="grid max-w-2xl grid-cols-1 gap-4 sm:grid-cols-2">
        {workflow.inputs.map((input) =>
          input.type === 'boolean' ? (
            <label key={input.name} className="flex items-center gap-2 self-end pb-2 text-sm font-medium text-gray-800">
              <input
                type="checkbox"
                name={input.name}
                checked={values[input.name] === true}
                onChange={(event) => setValues({ ...values, [input.name]: event.target.checked })}
                className="size-4 rounded border-gray-300"
              />
              {input.name}
            </label>
          ) : (
            <FormField
              key={input.name}
              label={input.name}
              name={input.name}
              type={input.type === 'number' ? 'number' : 'text'}
              inputMode={input.type === 'number' ? 'decimal' : undefined}
              hint={input.description}
              value={String(values[input.name])}
              error={failure?.messageFor(`inputs.${input.name}`)}
              onChange={(event) => setValues({ ...values, [input.name]: event.target.value })}
            />
          ),
        )}
      </div>
      <Button type="submit" variant="primary" disabled={busy}>
        Start run
      </Button>
      {started && (
        <Notice>
          Run {shortId(started.id)} started; an active node picks it up within one heartbeat.{' '}
          <Link href={`/workflows/runs/${started.id}`} className="font-medium text-indigo-700 underline">
            Open run {shortId(started.id)}
          </Link>
        </Notice>
      )}
    </form>
  );
}
