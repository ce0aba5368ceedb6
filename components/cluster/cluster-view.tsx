'use client';

import { useState } from 'react';
import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import { toApiError, type ApiError } from '@/lib/api/fetcher';
import type { TClusterStatus, TMemberView } from '@/lib/cluster/status';
import { clusterRefreshMs, useCluster } from '@/lib/swr/use-cluster';
import { useRefreshCluster } from '@/lib/swr/polling';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/shell/page-header';
import { AlarmBanner } from '@/components/cluster/alarm-banner';
import { ConvergedIndicator } from '@/components/cluster/converged-indicator';
import { RolloutProgress } from '@/components/cluster/rollout-progress';
import { EventsSection } from '@/components/cluster/events-section';
import { MembershipCard } from '@/components/cluster/membership-card';
import { NodeTable } from '@/components/cluster/node-table';
import { SettingsForm } from '@/components/cluster/settings-form';
import type { TNodeActionKind } from '@/lib/cluster/node-actions';
import { describeNodeAction, sendNodeAction } from '@/components/cluster/send-node-action';

type TProps = {
  user: TUser;
  /** the status read on the server for the first render; undefined when that failed */
  initial?: TClusterStatus;
};

/** The Orchestrator Cluster Management page: alarms, joining or join information, settings, nodes and events, following the heartbeat. */
export function ClusterView({ user, initial }: TProps) {
  const { data: status, error, mutate } = useCluster(initial);
  const refreshAll = useRefreshCluster();
  const [actionFailure, setActionFailure] = useState<{ title: string; error: ApiError } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const rollout = status?.rollout?.recent ? status.rollout : null;

  async function act(node: TMemberView, action: TNodeActionKind) {
    setBusyId(node.id);
    setActionFailure(null);
    try {
      await sendNodeAction(node.id, action);
    } catch (failure) {
      setActionFailure({ title: `${describeNodeAction(action)} failed for ${node.name}`, error: toApiError(failure) });
    }
    await refreshAll();
    setBusyId(null);
  }

  return (
    <>
      <div className="flex items-start justify-between gap-4">
        <PageHeader title="Orchestrator Cluster Management" description={describeCluster(status)} />
        <Button onClick={() => refreshAll()}>Refresh</Button>
      </div>
      <div className="space-y-6">
        <AlarmBanner alarms={status?.alarms ?? []} error={error} />
        {status && !status.standalone && <ConvergedIndicator status={status} />}
        {rollout && <RolloutProgress rollout={rollout} />}
        {/* a standalone node's first question is whether to join a cluster; a member's join information sits below its settings */}
        {status?.standalone && <MembershipCard status={status} isAdmin={can(user, 'joinOrLeave')} />}
        {status ? (
          <SettingsForm
            settings={status.settings}
            canEdit={can(user, 'changeClusterSettings')}
            onChanged={async () => (await mutate())?.settings}
          />
        ) : (
          <Card title="Cluster settings">
            <p className="min-h-32 text-sm text-gray-500">Waiting for the cluster status…</p>
          </Card>
        )}
        {status && !status.standalone && <MembershipCard status={status} isAdmin={can(user, 'joinOrLeave')} />}
        <section aria-labelledby="nodes-heading" className="space-y-3">
          <h2 id="nodes-heading" className="text-base font-semibold text-gray-900">
            Nodes
          </h2>
          {actionFailure && <Alert title={actionFailure.title}>{actionFailure.error.message}</Alert>}
          <NodeTable
            nodes={status?.nodes}
            refreshMs={clusterRefreshMs(status)}
            actions={can(user, 'setMaintenance') ? { busyId, onAction: act } : undefined}
          />
        </section>
        <EventsSection nodes={status?.nodes ?? []} refreshMs={clusterRefreshMs(status)} />
      </div>
    </>
  );
}

function describeCluster(status: TClusterStatus | undefined): string {
  if (!status) return '\u00a0';
  if (status.standalone) return 'Standalone: this node is not in a cluster.';
  const active = status.nodes.filter((node) => node.state === 'ACTIVE').length;
  return `Cluster ${status.name} · ${active} of ${status.settings.activeNodeCount} active · updates every heartbeat`;
}
