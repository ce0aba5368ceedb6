'use client';

import { useId, useState } from 'react';
import { useRouter } from 'next/navigation';
import { ROLES, type TRole } from '@/lib/auth/roles';
import { apiSend, toApiError, type ApiError } from '@/lib/api/fetcher';
import type { TUserView } from '@/lib/users/schemas';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DateTime } from '@/components/ui/date-time';
import { Td, WideRow } from '@/components/ui/table';
import { ResetPasswordForm } from '@/components/users/reset-password-form';

type TProps = {
  user: TUserView;
  /** The signed-in administrator's own row: a change to it can change what this page may show. */
  isSelf: boolean;
  columns: number;
  onChanged: () => Promise<void>;
  onReport: (outcome: { failure?: ApiError | null; notice?: string | null }) => void;
};

export function EditableUserRow({ user, isSelf, columns, onChanged, onReport }: TProps) {
  const router = useRouter();
  const roleErrorId = useId();
  const [draftRole, setDraftRole] = useState<TRole | null>(null);
  const [roleError, setRoleError] = useState<string | undefined>();
  const [resetting, setResetting] = useState(false);

  async function changeRole(role: TRole) {
    setDraftRole(role);
    setRoleError(undefined);
    onReport({});
    const failure = await sendChange(() => apiSend('PATCH', `/api/users/${user.id}`, { role, version: user.version }));
    setDraftRole(null);
    if (!failure) onReport({ notice: `${user.name} is now ${role}.` });
    else if (failure.messageFor('role')) setRoleError(failure.messageFor('role'));
    else onReport({ failure });
  }

  async function deleteUser() {
    onReport({});
    const failure = await sendChange(() => apiSend('DELETE', `/api/users/${user.id}`));
    onReport(failure ? { failure } : { notice: `User ${user.name} deleted.` });
  }

  /** Sends one change and reloads the list, so the outcome is announced with the table already up to date. */
  async function sendChange(send: () => Promise<unknown>): Promise<ApiError | null> {
    let failure: ApiError | null = null;
    try {
      await send();
    } catch (error) {
      failure = toApiError(error);
    }
    await onChanged();
    if (isSelf) router.refresh();
    return failure;
  }

  return (
    <>
      <tr>
        <Td className="font-medium">{user.name}</Td>
        <Td>
          <select
            aria-label={`Role for ${user.name}`}
            aria-invalid={roleError ? true : undefined}
            aria-describedby={roleError ? roleErrorId : undefined}
            value={draftRole ?? user.role}
            onChange={(event) => changeRole(event.target.value as TRole)}
            className="rounded-md border border-gray-300 bg-white px-2 py-1 text-sm aria-[invalid=true]:border-red-500"
          >
            {[...ROLES].reverse().map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
          {roleError && (
            <p id={roleErrorId} className="mt-1 text-xs text-red-700">
              {roleError}
            </p>
          )}
        </Td>
        <Td>
          <DateTime value={user.createdAt} />
        </Td>
        <Td>
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" variant="ghost" aria-expanded={resetting} onClick={() => setResetting(!resetting)}>
              Reset password
            </Button>
            <ConfirmButton label="Delete" question={`Delete ${user.name}?`} confirmLabel="Delete user" onConfirm={deleteUser} />
          </div>
        </Td>
      </tr>
      {resetting && (
        <WideRow columns={columns}>
          <ResetPasswordForm
            user={user}
            onCancel={() => setResetting(false)}
            onDone={async () => {
              await onChanged();
              setResetting(false);
              onReport({ notice: `Password for ${user.name} changed.` });
            }}
          />
        </WideRow>
      )}
    </>
  );
}
