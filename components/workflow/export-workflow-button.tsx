'use client';

import { useState } from 'react';
import { fetcher, toApiError } from '@/lib/api/fetcher';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';
import { Button } from '@/components/ui/button';

/** "Cluster Test" → "cluster-test.json" */
function fileNameOf(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}.json`;
}

/** Downloads the latest version's definition as JSON, ready to import on another cluster. */
export function ExportWorkflowButton({ name }: { name: string }) {
  const [failure, setFailure] = useState<string | null>(null);

  async function download() {
    setFailure(null);
    try {
      const definition = await fetcher<TWorkflowDefinition>(`/api/workflows/${encodeURIComponent(name)}`);
      const url = URL.createObjectURL(new Blob([`${JSON.stringify(definition, null, 2)}\n`], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileNameOf(name);
      link.click();
      // the download has taken the blob by the next task
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (error) {
      setFailure(toApiError(error).message);
    }
  }

  return (
    <span className="inline-flex flex-col">
      <Button size="sm" onClick={download} aria-label={`Export ${name}`}>
        Export
      </Button>
      {failure && <span className="mt-1 text-xs text-red-700">{failure}</span>}
    </span>
  );
}
