'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TExportFile } from '@/lib/config/export/export-configuration';
import type { TImportPreview, TImportResult } from '@/lib/config/export/import-configuration';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Table, Td, Th } from '@/components/ui/table';
import { useApiCall } from '@/components/ui/use-api-call';

/** Export the cluster's configuration as one encrypted file; import such a file after a preview of what it changes (admins). */
export function ExportImportCard({ onImported }: { onImported: () => Promise<unknown> }) {
  return (
    <Card
      title="Export and import"
      description="The cluster's configuration (server settings, plugins, certificate and its key, cluster settings, notification targets without their secrets) as one file encrypted with a password. Importing it elsewhere shows what changes, then applies it as a new pushed version."
    >
      <div className="grid gap-6 md:grid-cols-2">
        <ExportForm />
        <ImportForm onImported={onImported} />
      </div>
    </Card>
  );
}

function ExportForm() {
  const [password, setPassword] = useState('');
  const { busy, failure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await call(async () => {
      const exported = await apiSend<TExportFile>('POST', '/api/config/export', { password });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([exported.content], { type: 'application/json' }));
      link.download = exported.fileName;
      link.click();
      URL.revokeObjectURL(link.href);
      setPassword('');
    });
  }

  return (
    <form onSubmit={submit} aria-label="Export configuration" className="space-y-3" noValidate>
      <FormField
        label="Password for the file"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={failure?.messageFor('password')}
        hint="At least 12 characters; needed to import the file."
      />
      <Button type="submit" variant="primary" disabled={busy || password.length === 0}>
        Export configuration
      </Button>
      {failure && !failure.isAboutAny(['password']) && <Alert title="The export failed">{failure.message}</Alert>}
    </form>
  );
}

function ImportForm({ onImported }: { onImported: () => Promise<unknown> }) {
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [preview, setPreview] = useState<(TImportPreview & { file: string }) | null>(null);
  const [reset, setReset] = useState(false);
  const [result, setResult] = useState<TImportResult | null>(null);
  const { busy, failure, call: run } = useApiCall();

  const showPreview = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    void run(async () => {
      setResult(null);
      const text = await file.text();
      setPreview({
        ...(await apiSend<TImportPreview>('POST', '/api/config/import/preview', { file: text, password })),
        file: text,
      });
    });
  };

  const apply = () =>
    run(async () => {
      if (!preview) return;
      setResult(
        await apiSend<TImportResult>('POST', '/api/config/import', {
          file: preview.file,
          password,
          basedOn: preview.basedOn,
          reset,
        }),
      );
      setPreview(null);
      setPassword('');
      await onImported();
    });

  return (
    <div className="space-y-3">
      <form onSubmit={showPreview} aria-label="Import configuration" className="space-y-3" noValidate>
        <div className="space-y-1">
          <label htmlFor="import-file" className="block text-sm font-medium text-gray-800">
            Exported file
          </label>
          <input
            id="import-file"
            type="file"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setPreview(null);
            }}
            className="block text-sm text-gray-800 file:mr-3 file:rounded-md file:border file:border-gray-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
          />
        </div>
        <FormField
          label="Its password"
          type="password"
          autoComplete="off"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Button type="submit" disabled={busy || !file || password.length === 0}>
          Preview import
        </Button>
      </form>
      {failure && <Alert title="Nothing was imported">{failure.message}</Alert>}
      {preview && (
        <section aria-label="Import preview" className="space-y-3">
          <p className="text-sm text-gray-700">
            Exported from {preview.exportedFrom.node} (reference version {preview.exportedFrom.referenceVersion ?? 'none'}) at{' '}
            {preview.exportedAt}.
            {preview.notInFile.length > 0 && ` Not in the file, left as they are: ${preview.notInFile.join(', ')}.`}
          </p>
          {preview.changes.length === 0 ? (
            <p className="text-sm text-gray-700">Importing it changes nothing.</p>
          ) : (
            <Table caption="What the import changes">
              <thead>
                <tr>
                  <Th>Field</Th>
                  <Th>Change</Th>
                  <Th>This cluster</Th>
                  <Th>The file</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100">
                {preview.changes.map((change) => (
                  <tr key={change.field}>
                    <Td>
                      {change.field}
                      {change.note && <span className="block text-xs text-amber-800">{change.note}</span>}
                    </Td>
                    <Td>{change.change}</Td>
                    <Td className="font-mono text-xs break-all">{change.current ?? '—'}</Td>
                    <Td className="font-mono text-xs break-all">{change.incoming ?? '—'}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <label className="flex items-center gap-2 text-sm text-gray-800">
            <input type="checkbox" checked={reset} onChange={(event) => setReset(event.target.checked)} />
            and reset nodes (restart them one at a time)
          </label>
          <Button variant="primary" disabled={busy} onClick={apply}>
            Import as a new pushed version
          </Button>
        </section>
      )}
      {result && (
        <Notice>
          {result.created
            ? `Imported as configuration version ${result.version}.`
            : `The configuration was already the reference (version ${result.version}); the rest was applied.`}
          {result.rolloutId !== null && ` Rolling reset #${result.rolloutId} started.`}
        </Notice>
      )}
    </div>
  );
}
