import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { readClusterStatus, type TClusterStatus } from '@/lib/cluster/status';
import { db } from '@/lib/db/client';
import { ClusterView } from '@/components/cluster/cluster-view';

export const metadata: Metadata = { title: 'Cluster' };

export default async function ClusterPage() {
  const user = await requirePageUser();
  let initial: TClusterStatus | undefined;
  try {
    initial = await readClusterStatus(db(), user.role);
  } catch {
    initial = undefined; // the client reads it again and shows why it failed (e.g. the database is unreachable)
  }
  return <ClusterView user={user} initial={initial} />;
}
