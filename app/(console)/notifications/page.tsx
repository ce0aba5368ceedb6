import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { NotificationsView } from '@/components/notifications/notifications-view';

export const metadata: Metadata = { title: 'Notifications' };

export default async function NotificationsPage() {
  await requirePageUser('admin');
  return <NotificationsView />;
}
