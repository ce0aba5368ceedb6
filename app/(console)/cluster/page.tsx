import type { Metadata } from 'next';
import { ClusterOverview } from '@/components/cluster/cluster-overview';

export const metadata: Metadata = { title: 'Cluster' };

export default function ClusterPage() {
  return <ClusterOverview />;
}
