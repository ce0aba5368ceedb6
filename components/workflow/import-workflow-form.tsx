'use client';

import { useId, useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import type { TImportResult } from '@/lib/workflow/views';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { useApiCall } from '@/components/ui/use-api-call';

const TEXTAREA =
  'block min-h-28 w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs text-gray-900 shadow-xs placeholder:text-gray-400 aria-[invalid=true]:border-red-500';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'BAD_REQUEST', `the definition is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Imports a definition pasted or read from a file. The node checks it and, when it refuses,
 * names the element and field; the message is shown as the node wrote it and nothing is stored.
 */
export function ImportWorkflowForm({ onImported }: { onImported: () => Promise<unknown> }) {
  const textId = useId();
  const fileId = useId();
  const [text, setText] = useState('');
  const { busy, failure, setFailure, call } = useApiCall();
  const [imported, setImported] = useState<TImportResult | null>(null);

  async function readFile(file: File | undefined) {
    setFailure(null);
    setImported(null);
    if (file) setText(await file.text());
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setImported(null);
    await call(async () => {
      setImported(await apiSend<TImportResult>('POST', '/api/workflows', parseJson(text)));
      setText('');
      await onImported();
    });
  }

  return (
    <Card
      title="Import a workflow"
      description="Paste a definition or choose a .json file. A workflow with a name that exists becomes its next version; an identical one changes nothing."
    >
      <form onSubmit={submit} aria-label="Import a workflow" className="space-y-3" noValidate>
        <div className="space-y-1">
          <label htmlFor={textId} className="block text-sm font-medium text-gray-800">
            Definition (JSON)
          </label>
          <textarea
            id={textId}
            name="definition"
            spellCheck={false}
            value={text}
            aria-invalid={failure ? true : undefined}
            placeholder='{ "name": "…", "inputs": [], "elements": [ … ] }'
            onChange={(event) => setText(event.target.value)}
            className={TEXTAREA}
          />
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={fileId} className="text-sm text-gray-700">
            or read a file:
          </label>
          <input
            id={fileId}
            type="file"
            accept=".json,application/json"
            onChange={(event) => readFile(event.target.files?.[0])}
            className="text-sm text-gray-800 file:mr-3 file:rounded-md file:border file:border-gray-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-gray-800 hover:file:bg-gray-50"
          />
        </div>
        <Button type="submit" variant="primary" disabled={busy || text.trim() === ''}>
          Import
        </Button>
        {failure && <Alert title="Not imported; nothing changed">{failure.message}</Alert>}
        {imported && (
          <Notice>
            {imported.created
              ? `Imported ${imported.name} as version ${imported.version}.`
              : `${imported.name} version ${imported.version} is identical; nothing changed.`}
          </Notice>
        )}
      </form>
    </Card>
  );
}
