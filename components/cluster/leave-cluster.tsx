'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { apiSend, toApiError, type ApiError } from '@/lib/api/fetcher';
import { Alert, Notice } from '@/components/ui/alert';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { waitForClusterId } from '@/components/cluster/wait-for-cluster-id';

type TLeavePhase = { kind: 'member'; failure: ApiError | null } | { kind: 'restarting' } | { kind: 'timed-out' };

/** An administrator takes this node out of the cluster; it comes back standalone, where its own users sign in. */
export function LeaveCluster({ clusterName }: { clusterName: string }) {
  const router = useRouter();
  const [phase, setPhase] = useState<TLeavePhase>({ kind: 'member', failure: null });

  async function leave() {
    try {
      await apiSend('POST', '/api/cluster/leave');
    } catch (error) {
      // e.g. 409: started with --database-url, so the page cannot take it out
      return setPhase({ kind: 'member', failure: toApiError(error) });
    }
    setPhase({ kind: 'restarting' });
    if (!(await waitForClusterId(null))) return setPhase({ kind: 'timed-out' });
    // the session belonged to a user of the cluster: the node's own users sign in again
    router.replace('/login');
  }

  return (
    <div className="space-y-3 border-t border-gray-200 pt-4">
      <p className="text-sm text-gray-600">
        Leaving restarts this node on its own built-in database, where its own earlier users apply again.
      </p>
      {phase.kind === 'member' && phase.failure && <Alert title="The node did not leave.">{phase.failure.message}</Alert>}
      {phase.kind === 'restarting' && <Notice>Leaving {clusterName}: the node is restarting…</Notice>}
      {phase.kind === 'timed-out' && <Alert>The node did not come back within 60 s; check its log.</Alert>}
      {/* the confirmation is long: let it wrap inside the card */}
      <div className="[&_[role=group]]:flex-wrap">
        <ConfirmButton
          label="Leave cluster"
          question={`Leave ${clusterName}? This node restarts on its own built-in database; the others will show it as removed.`}
          confirmLabel="Leave cluster now"
          disabled={phase.kind !== 'member'}
          onConfirm={leave}
        />
      </div>
    </div>
  );
}
