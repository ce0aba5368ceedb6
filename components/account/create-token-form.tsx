'use client';

import { useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import { ZTokenCreate, type TCreatedToken } from '@/lib/tokens/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField, SelectField } from '@/components/ui/form-field';
import { NewTokenValue } from '@/components/account/new-token-value';
import { useApiCall } from '@/components/ui/use-api-call';

/** Choices of lifetime; "never" keeps the token until it is revoked. */
const EXPIRY_CHOICES = [
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'Never', days: null },
] as const;

export function CreateTokenForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [expiresInDays, setExpiresInDays] = useState<number | null>(90);
  const [created, setCreated] = useState<TCreatedToken | null>(null);
  const { busy, failure, setFailure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ZTokenCreate.safeParse({ name, expiresInDays });
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    setCreated(null);
    await call(async () => {
      setCreated(await apiSend<TCreatedToken>('POST', '/api/tokens', parsed.data));
      setName('');
      await onCreated();
    });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={submit} aria-label="Create token" className="space-y-3" noValidate>
        {failure && !failure.isAboutAny(['name', 'expiresInDays']) && <Alert>{failure.message}</Alert>}
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
          <div className="w-40">
            <SelectField
              label="Expires after"
              name="expiresInDays"
              value={expiresInDays === null ? 'never' : String(expiresInDays)}
              error={failure?.messageFor('expiresInDays')}
              onChange={(event) => setExpiresInDays(event.target.value === 'never' ? null : Number(event.target.value))}
            >
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.label} value={choice.days === null ? 'never' : String(choice.days)}>
                  {choice.label}
                </option>
              ))}
            </SelectField>
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
