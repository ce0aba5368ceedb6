'use client';

import { apiSend } from '@/lib/api/fetcher';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { useApiCall } from '@/components/ui/use-api-call';

/** Disable/enable and uninstall one plugin on this node (administrators); a local change until pushed. */
export function PluginActions({
  name,
  enabled,
  onChanged,
}: {
  name: string;
  enabled: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const { busy, failure, call } = useApiCall();

  async function send(method: 'PUT' | 'DELETE', body?: unknown) {
    await call(async () => {
      await apiSend(method, `/api/config/plugins/${encodeURIComponent(name)}`, body);
      await onChanged();
    });
  }

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button size="sm" disabled={busy} onClick={() => send('PUT', { enabled: !enabled })}>
        {enabled ? 'Disable' : 'Enable'}
      </Button>
      <ConfirmButton
        label="Uninstall"
        question={`Uninstall ${name} from this node?`}
        confirmLabel={`Uninstall ${name}`}
        disabled={busy}
        onConfirm={() => send('DELETE')}
      />
      {failure && (
        <span role="alert" className="text-sm text-red-700">
          {failure.message}
        </span>
      )}
    </span>
  );
}
