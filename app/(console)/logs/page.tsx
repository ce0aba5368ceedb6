import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { LogsView } from '@/components/logs/logs-view';

export const metadata: Metadata = { title: 'Logs' };

export default async function LogsPage() {
  await requirePageUser();
  return <LogsView />;
}
