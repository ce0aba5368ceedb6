import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { readClusterStatus, type TClusterStatus } from '@/lib/cluster/status';
import { db } from '@/lib/db/client';
import { ConfigurationView } from '@/components/configuration/configuration-view';

export const metadata: Metadata = { title: 'Configuration' };

export default async function ConfigurationPage() {
  const user = await requirePageUser();
  // the client reads it again, and shows why when it failed
  const initial: TClusterStatus | undefined = await readClusterStatus(db(), user.role).catch(() => undefined);
  return <ConfigurationView user={user} initial={initial} />;
}
