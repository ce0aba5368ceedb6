'use client';

import { useId, useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import type { TCertificateView } from '@/lib/tls/certificate-view';
import { ZCertificateChange } from '@/lib/tls/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { useApiCall } from '@/components/ui/use-api-call';

const FIELDS = ['certificate', 'privateKey'] as const;

/** Paste a PEM certificate (with its chain) and its private key; the node checks both before writing anything. */
export function CertificateImportForm({ onImported }: { onImported: (view: TCertificateView) => Promise<void> }) {
  const [certificate, setCertificate] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const { busy, failure, setFailure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ZCertificateChange.safeParse({ action: 'import', certificate, privateKey });
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    await call(async () => {
      const view = await apiSend<TCertificateView>('POST', '/api/config/certificate', parsed.data);
      // the key is on the node now; it does not stay in the page
      setCertificate('');
      setPrivateKey('');
      await onImported(view);
    });
  }

  return (
    <form onSubmit={submit} aria-label="Import certificate" className="space-y-3" noValidate>
      {failure && !failure.isAboutAny(FIELDS) && <Alert>{failure.message}</Alert>}
      <PemField
        label="Certificate (PEM)"
        name="certificate"
        placeholder="-----BEGIN CERTIFICATE-----"
        value={certificate}
        error={failure?.messageFor('certificate')}
        onChange={setCertificate}
      />
      <PemField
        label="Private key (PEM, not encrypted)"
        name="privateKey"
        placeholder="-----BEGIN PRIVATE KEY-----"
        value={privateKey}
        error={failure?.messageFor('privateKey')}
        onChange={setPrivateKey}
      />
      <Button type="submit" variant="primary" disabled={busy}>
        Import certificate
      </Button>
    </form>
  );
}

type TPemFieldProps = {
  label: string;
  name: string;
  placeholder: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
};

function PemField({ label, name, placeholder, value, error, onChange }: TPemFieldProps) {
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-800">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={6}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={errorId}
        onChange={(event) => onChange(event.target.value)}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs text-gray-900 shadow-xs placeholder:text-gray-400 aria-[invalid=true]:border-red-500"
      />
      {error && (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
