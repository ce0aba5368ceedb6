'use client';

import { fetcher } from '@/lib/api/fetcher';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';
import { Button } from '@/components/ui/button';
import { useApiCall } from '@/components/ui/use-api-call';

/** "Cluster Test" → "cluster-test.json" */
function fileNameOf(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}.json`;
}

/** Downloads the latest version's definition as JSON, ready to import on another cluster. */
export function ExportWorkflowButton({ name }: { name: string }) {
  const { failure, call } = useApiCall();

  async function download() {
    await call(async () => {
      const definition = await fetcher<TWorkflowDefinition>(`/api/workflows/${encodeURIComponent(name)}`);
      const url = URL.createObjectURL(new Blob([`${JSON.stringify(definition, null, 2)}\n`], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileNameOf(name);
      link.click();
      // the download has taken the blob by the next task
      setTimeout(() => URL.revokeObjectURL(url), 0);
    });
  }

  return (
    <span className="inline-flex flex-col">
      <Button size="sm" onClick={download} aria-label={`Export ${name}`}>
        Export
      </Button>
      {failure && <span className="mt-1 text-xs text-red-700">{failure.message}</span>}
    </span>
  );
}
