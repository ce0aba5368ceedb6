import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { DatabaseView } from '@/components/database/database-view';

export const metadata: Metadata = { title: 'Database' };

export default async function DatabasePage() {
  const user = await requirePageUser();
  return <DatabaseView user={user} />;
}
