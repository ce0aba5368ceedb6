'use client';

import { useState } from 'react';
import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import type { ApiError } from '@/lib/api/fetcher';
import { useUsers } from '@/lib/swr/use-users';
import { Alert, Notice } from '@/components/ui/alert';
import { PageHeader } from '@/components/shell/page-header';
import { CreateUserForm } from '@/components/users/create-user-form';
import { UsersTable } from '@/components/users/users-table';

/** Everyone sees who has access; only administrators get the controls to change it. */
export function UsersView({ currentUser }: { currentUser: TUser }) {
  const { data: users, error: loadError, mutate } = useUsers();
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = can(currentUser, 'manageUsers');

  function report(outcome: { failure?: ApiError | null; notice?: string | null }) {
    setFailure(outcome.failure ?? null);
    setNotice(outcome.notice ?? null);
  }

  async function refresh() {
    await mutate();
  }

  async function announceCreated(name: string) {
    await refresh();
    report({ notice: `User ${name} created.` });
  }

  return (
    <>
      <PageHeader
        title="Users"
        description={
          isAdmin
            ? 'People who can sign in to this cluster, and what they may do.'
            : 'People who can sign in to this cluster. Only an administrator can change them.'
        }
      />
      <div className="space-y-6">
        {loadError && <Alert title="The users could not be loaded">{loadError.message}</Alert>}
        {failure && <Alert>{failure.message}</Alert>}
        {notice && <Notice>{notice}</Notice>}
        {isAdmin && <CreateUserForm onCreated={announceCreated} />}
        <UsersTable users={users} currentUser={currentUser} editable={isAdmin} onChanged={refresh} onReport={report} />
      </div>
    </>
  );
}
