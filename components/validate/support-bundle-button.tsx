'use client';

import { useState } from 'react';
import { apiSend, toApiError } from '@/lib/api/fetcher';
import type { TSupportBundle } from '@/lib/support/support-bundle';
import { Button } from '@/components/ui/button';

/** Builds the support bundle on this node and downloads it; names the members it could not reach. */
export function SupportBundleButton() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setMessage(null);
    try {
      const bundle = await apiSend<TSupportBundle>('POST', '/api/support-bundle');
      const bytes = Uint8Array.from(atob(bundle.base64), (char) => char.charCodeAt(0));
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/gzip' }));
      link.download = bundle.fileName;
      link.click();
      URL.revokeObjectURL(link.href);
      setMessage(
        bundle.unreachable.length > 0 ? `Downloaded; not collected from ${bundle.unreachable.join(', ')}.` : 'Downloaded.',
      );
    } catch (error) {
      setMessage(`The support bundle failed: ${toApiError(error).message}`);
    }
    setBusy(false);
  }

  return (
    <span className="inline-flex items-center gap-3">
      <Button disabled={busy} onClick={download}>
        {busy ? 'Collecting…' : 'Download support bundle'}
      </Button>
      {message && (
        <span role="status" className="text-sm text-gray-700">
          {message}
        </span>
      )}
    </span>
  );
}
