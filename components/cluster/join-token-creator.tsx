'use client';

import { useState } from 'react';
import { apiSend, toApiError, type ApiError } from '@/lib/api/fetcher';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DateTime } from '@/components/ui/date-time';
import { CopyField } from '@/components/cluster/copy-field';

type TJoinToken = { token: string; fingerprint: string; expiresAt: string };

/** A one-time join token, shown once: the safer alternative to typing an administrator's password on the joining node. */
export function JoinTokenCreator() {
  const [created, setCreated] = useState<TJoinToken | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setFailure(null);
    try {
      setCreated(await apiSend<TJoinToken>('POST', '/api/cluster/join-tokens', {}));
    } catch (error) {
      setFailure(toApiError(error));
    }
    setBusy(false);
  }

  return (
    <div className="space-y-3">
      {failure && <Alert title="No join token was created.">{failure.message}</Alert>}
      {created && (
        <CopyField
          label="Join token"
          value={created.token}
          hint={
            <>
              Copy it now: it is not shown again. It works once, until <DateTime value={created.expiresAt} />.
            </>
          }
        />
      )}
      <Button disabled={busy} onClick={create}>
        Create join token
      </Button>
    </div>
  );
}
