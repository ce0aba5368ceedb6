'use client';

import { useState, type FormEvent } from 'react';
import { ROLES, type TRole } from '@/lib/auth/roles';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import { ZUserCreate } from '@/lib/users/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField, SelectField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

const FIELDS = ['name', 'role', 'password'] as const;
const EMPTY = { name: '', role: 'viewer' as TRole, password: '' };

export function CreateUserForm({ onCreated }: { onCreated: (name: string) => Promise<void> }) {
  const [draft, setDraft] = useState(EMPTY);
  const { busy, failure, setFailure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = ZUserCreate.safeParse(draft);
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    await call(async () => {
      await apiSend('POST', '/api/users', parsed.data);
      setDraft(EMPTY);
      await onCreated(parsed.data.name);
    });
  }

  return (
    <Card
      title="Create user"
      description="Administrators can do everything, operators run workflows and push configuration, viewers only read."
    >
      <form onSubmit={submit} aria-label="Create user" className="space-y-4" noValidate>
        {failure && !failure.isAboutAny(FIELDS) && <Alert>{failure.message}</Alert>}
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <FormField
            label="Name"
            name="name"
            autoComplete="off"
            value={draft.name}
            error={failure?.messageFor('name')}
            onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          />
          <SelectField
            label="Role"
            name="role"
            value={draft.role}
            error={failure?.messageFor('role')}
            onChange={(event) => setDraft({ ...draft, role: event.target.value as TRole })}
          >
            {[...ROLES].reverse().map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </SelectField>
          <FormField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters."
            value={draft.password}
            error={failure?.messageFor('password')}
            onChange={(event) => setDraft({ ...draft, password: event.target.value })}
          />
        </div>
        <Button type="submit" variant="primary" disabled={busy}>
          Create user
        </Button>
      </form>
    </Card>
  );
}
