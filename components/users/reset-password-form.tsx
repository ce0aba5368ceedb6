'use client';

import { useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import { ZUserUpdate, type TUserView } from '@/lib/users/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

type TProps = { user: TUserView; onDone: () => Promise<void>; onCancel: () => void };

/** An administrator sets a new password for someone, e.g. one who forgot theirs. */
export function ResetPasswordForm({ user, onDone, onCancel }: TProps) {
  const [password, setPassword] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const { busy, failure, setFailure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ZUserUpdate.safeParse({ password, revokeTokens, version: user.version });
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    await call(async () => {
      await apiSend('PATCH', `/api/users/${user.id}`, parsed.data);
      await onDone();
    });
  }

  return (
    <form onSubmit={submit} aria-label={`Reset password for ${user.name}`} className="flex max-w-xl flex-col gap-3" noValidate>
      {failure && !failure.isAboutAny(['password']) && <Alert>{failure.message}</Alert>}
      <FormField
        label={`New password for ${user.name}`}
        type="password"
        autoComplete="new-password"
        autoFocus
        value={password}
        error={failure?.messageFor('password')}
        onChange={(event) => setPassword(event.target.value)}
      />
      <p className="text-xs text-gray-500">{user.name} is signed out everywhere; they sign in again with the new password.</p>
      <label className="flex items-center gap-2 text-sm text-gray-800">
        <input type="checkbox" checked={revokeTokens} onChange={(event) => setRevokeTokens(event.target.checked)} />
        Also revoke {user.name}&apos;s API tokens
      </label>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy}>
          Set password
        </Button>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
