'use client';

import { useState } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DateTime } from '@/components/ui/date-time';
import { CopyField } from '@/components/cluster/copy-field';
import { useApiCall } from '@/components/ui/use-api-call';

type TJoinToken = { token: string; fingerprint: string; expiresAt: string };

/** A one-time join token, shown once: the safer alternative to typing an administrator's password on the joining node. */
export function JoinTokenCreator() {
  const [created, setCreated] = useState<TJoinToken | null>(null);
  const { busy, failure, call } = useApiCall();

  async function create() {
    await call(async () => {
      setCreated(await apiSend<TJoinToken>('POST', '/api/cluster/join-tokens', {}));
    });
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
