'use client';

import type { TClusterStatus } from '@/lib/cluster/status';
import { Card } from '@/components/ui/card';
import { JoinForm } from '@/components/cluster/join-form';
import { JoinInformation } from '@/components/cluster/join-information';

/** isAdmin: the user may join, leave and issue join tokens */
type TProps = { status: TClusterStatus; isAdmin: boolean };

/** Joining (on a standalone node) or the join information and leaving (on a member). */
export function MembershipCard({ status, isAdmin }: TProps) {
  if (!status.standalone) return <JoinInformation clusterName={status.name} canManage={isAdmin} />;
  if (isAdmin) return <JoinForm />;
  return (
    <Card title="Join node to cluster">
      <p className="text-sm text-gray-600">
        This node runs on its own built-in database. An administrator can join it to a cluster.
      </p>
    </Card>
  );
}
