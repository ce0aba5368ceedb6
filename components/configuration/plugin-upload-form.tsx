'use client';

import { useId, useRef, useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TInstalledPlugin } from '@/lib/plugins/installed-plugins';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { useApiCall } from '@/components/ui/use-api-call';

/**
 * Installs a `.orchplugin` package on this node: the file is read here as text and sent as is;
 * the node checks it (format, size, code, not already installed) and writes nothing when it refuses.
 */
export function PluginUploadForm({ onInstalled }: { onInstalled: () => Promise<unknown> }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const { busy, failure, setFailure, call } = useApiCall();
  const [installed, setInstalled] = useState<TInstalledPlugin | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) return;
    setInstalled(null);
    await call(async () => {
      setInstalled(await apiSend<TInstalledPlugin>('POST', '/api/config/plugins', { package: await file.text() }));
      setFile(null);
      if (input.current) input.current.value = '';
      await onInstalled();
    });
  }

  return (
    <form onSubmit={submit} aria-label="Install plugin" className="space-y-3" noValidate>
      <div className="space-y-1">
        <label htmlFor={id} className="block text-sm font-medium text-gray-800">
          Plugin package (.orchplugin)
        </label>
        <input
          ref={input}
          id={id}
          name="package"
          type="file"
          accept=".orchplugin"
          aria-invalid={failure ? true : undefined}
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setFailure(null);
            setInstalled(null);
          }}
          className="block text-sm text-gray-800 file:mr-3 file:rounded-md file:border file:border-gray-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-gray-800 hover:file:bg-gray-50"
        />
        <p className="text-xs text-gray-500">
          At most 1 MiB. A plugin is loaded when the node starts: it takes effect after this node restarts.
        </p>
      </div>
      <Button type="submit" variant="primary" disabled={!file || busy}>
        Install plugin
      </Button>
      {failure && (
        <Alert title={`${file?.name ?? 'The package'} was not installed; nothing changed`}>
          {failure.issues.length > 1
            ? failure.issues.map((issue) => `${issue.field}: ${issue.message}`).join(' · ')
            : failure.message}
        </Alert>
      )}
      {installed && (
        <Notice>
          Installed {installed.name} {installed.version}. It is loaded after this node restarts; push configuration to give it to
          the other nodes.
        </Notice>
      )}
    </form>
  );
}
