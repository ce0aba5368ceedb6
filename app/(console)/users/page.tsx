import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { UsersView } from '@/components/users/users-view';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const user = await requirePageUser();
  return <UsersView currentUser={user} />;
}
