'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import { ZPasswordChange } from '@/lib/users/schemas';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

const FIELDS = ['currentPassword', 'newPassword'] as const;
const EMPTY = { currentPassword: '', newPassword: '' };

export function ChangePasswordForm() {
  const router = useRouter();
  const [draft, setDraft] = useState(EMPTY);
  const { busy, failure, setFailure, call } = useApiCall();
  const [changed, setChanged] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setChanged(false);
    const parsed = ZPasswordChange.safeParse(draft);
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    await call(async () => {
      await apiSend('PUT', '/api/me/password', parsed.data);
      setDraft(EMPTY);
      setChanged(true);
      // the change ended every session, this one too: sign in again with the new password
      router.replace('/login');
    });
  }

  return (
    <Card
      title="Password"
      description="Change the password you sign in with. Every session of yours ends, on every node; you sign in again."
    >
      <form onSubmit={submit} aria-label="Change password" className="max-w-md space-y-4" noValidate>
        {failure && !failure.isAboutAny(FIELDS) && <Alert>{failure.message}</Alert>}
        {changed && <Notice>Password changed. Sign in again with the new one.</Notice>}
        <FormField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={draft.currentPassword}
          error={failure?.messageFor('currentPassword')}
          onChange={(event) => setDraft({ ...draft, currentPassword: event.target.value })}
        />
        <FormField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={draft.newPassword}
          error={failure?.messageFor('newPassword')}
          onChange={(event) => setDraft({ ...draft, newPassword: event.target.value })}
        />
        <Button type="submit" variant="primary" disabled={busy}>
          Change password
        </Button>
      </form>
    </Card>
  );
}
