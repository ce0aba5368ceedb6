'use client';

import type { TUser } from '@/lib/auth/roles';
import type { ApiError } from '@/lib/api/fetcher';
import type { TUserView } from '@/lib/users/schemas';
import { Badge } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { EditableUserRow } from '@/components/users/editable-user-row';

type TProps = {
  users: TUserView[] | undefined;
  currentUser: TUser;
  /** Administrators get a role selector and actions per row; everyone else a plain table. */
  editable: boolean;
  onChanged: () => Promise<void>;
  onReport: (outcome: { failure?: ApiError | null; notice?: string | null }) => void;
};

export function UsersTable({ users, currentUser, editable, onChanged, onReport }: TProps) {
  const columns = editable ? 4 : 3;
  return (
    <Table caption="Users">
      <thead>
        <tr>
          <Th>Name</Th>
          <Th className="w-44">Role</Th>
          <Th className="w-52">Created</Th>
          {editable && <Th className="w-80">Actions</Th>}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!users && <WideRow columns={columns}>Loading users…</WideRow>}
        {users?.length === 0 && <WideRow columns={columns}>No users.</WideRow>}
        {users?.map((user) =>
          editable ? (
            <EditableUserRow
              key={user.id}
              user={user}
              isSelf={user.id === currentUser.id}
              columns={columns}
              onChanged={onChanged}
              onReport={onReport}
            />
          ) : (
            <tr key={user.id}>
              <Td className="font-medium">{user.name}</Td>
              <Td>
                <Badge>{user.role}</Badge>
              </Td>
              <Td>
                <DateTime value={user.createdAt} />
              </Td>
            </tr>
          ),
        )}
      </tbody>
    </Table>
  );
}
