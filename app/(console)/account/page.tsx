import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { AccountView } from '@/components/account/account-view';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const user = await requirePageUser();
  return <AccountView user={user} />;
}
