'use client';

import { useSyncExternalStore } from 'react';
import { useJoinInfo } from '@/lib/swr/use-join-info';
import { Card } from '@/components/ui/card';
import { CopyField } from '@/components/cluster/copy-field';
import { JoinTokenCreator } from '@/components/cluster/join-token-creator';
import { LeaveCluster } from '@/components/cluster/leave-cluster';

type TProps = { clusterName: string; canManage: boolean };

const subscribeToNothing = () => () => {};

/** What another node needs to join this cluster through this node, and (for administrators) leaving it. */
export function JoinInformation({ clusterName, canManage }: TProps) {
  const { data: info, error } = useJoinInfo();
  // the address the browser reached this node at; unknown while rendering on the server
  const origin = useSyncExternalStore(
    subscribeToNothing,
    () => window.location.origin,
    () => '',
  );
  const fingerprint = info?.fingerprint ?? '';

  return (
    <Card
      title="Join information"
      description={
        canManage
          ? 'To join another node to this cluster, give it this address with an administrator’s credentials, or a join token and the certificate fingerprint.'
          : 'A joining node checks this fingerprint to be sure it joins this cluster.'
      }
    >
      <div className="space-y-4">
        {error && <p className="text-sm text-red-700">The join information could not be read: {error.message}</p>}
        {canManage && (
          <div className="max-w-md">
            <CopyField label="This node's address" value={origin} />
          </div>
        )}
        {/* wide enough for the whole fingerprint (95 characters) on a desktop */}
        <div className="max-w-4xl">
          <CopyField label="Certificate fingerprint" value={fingerprint} hint="SHA-256 of the cluster certificate." />
        </div>
        {canManage && (
          <>
            <JoinTokenCreator />
            <LeaveCluster clusterName={clusterName} />
          </>
        )}
      </div>
    </Card>
  );
}
