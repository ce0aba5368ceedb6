'use client';

import { useState, type FormEvent } from 'react';
import { apiSend, ApiError, toApiError } from '@/lib/api/fetcher';
import { ZTokenCreate, type TCreatedToken } from '@/lib/tokens/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { NewTokenValue } from '@/components/account/new-token-value';

export function CreateTokenForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<TCreatedToken | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ZTokenCreate.safeParse({ name });
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    setBusy(true);
    setFailure(null);
    setCreated(null);
    try {
      setCreated(await apiSend<TCreatedToken>('POST', '/api/tokens', parsed.data));
      setName('');
      await onCreated();
    } catch (error) {
      setFailure(toApiError(error));
    }
    setBusy(false);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={submit} aria-label="Create token" className="space-y-3" noValidate>
        {failure && !failure.isAboutAny(['name']) && <Alert>{failure.message}</Alert>}
        <div className="flex flex-wrap items-start gap-3">
          <div className="w-full max-w-sm">
            <FormField
              label="Token name"
              name="tokenName"
              autoComplete="off"
              placeholder="e.g. deploy script"
              value={name}
              error={failure?.messageFor('name')}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          {/* aligned with the input, below its label */}
          <Button type="submit" variant="primary" className="mt-6" disabled={busy}>
            Create token
          </Button>
        </div>
      </form>
      {created && <NewTokenValue token={created} onDismiss={() => setCreated(null)} />}
    </div>
  );
}
