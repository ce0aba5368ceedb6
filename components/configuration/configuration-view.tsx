'use client';

import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import type { TClusterStatus } from '@/lib/cluster/status';
import { useCluster } from '@/lib/swr/use-cluster';
import { PageHeader } from '@/components/shell/page-header';
import { ExportImportCard } from '@/components/configuration/export-import-card';
import { ConfigHistoryCard } from '@/components/configuration/config-history-card';
import { CertificatePanel } from '@/components/configuration/certificate-panel';
import { PluginsCard } from '@/components/configuration/plugins-card';
import { PushConfigurationCard } from '@/components/configuration/push-configuration-card';
import { ServerSettingsForm } from '@/components/configuration/server-settings-form';

type TProps = {
  user: TUser;
  /** the cluster status read on the server for the first render; undefined when that failed */
  initial?: TClusterStatus;
};

/** This node's configuration (plugins, server settings, certificate) and pushing it to the cluster. */
export function ConfigurationView({ user, initial }: TProps) {
  const { data: status, error, mutate } = useCluster(initial);
  const self = status?.nodes.find((node) => node.id === status.local.id);
  const nodeName = self?.name ?? 'this node';
  return (
    <>
      <PageHeader
        title="Configuration"
        description={
          self ? `Node ${self.name} · plugins, server settings and certificate, and pushing them to the cluster` : '\u00a0'
        }
      />
      <div className="space-y-6">
        <p className="rounded-md border border-blue-200 bg-blue-50 px-3.5 py-2.5 text-sm text-blue-900">
          Changes made here are local to {nodeName} until they are pushed: {nodeName} shows LOCAL CHANGES and the other nodes OUT
          OF SYNC. <em>Push configuration</em> gives them to every node.
        </p>
        <PushConfigurationCard
          status={status}
          statusError={error}
          canPush={can(user, 'pushConfiguration')}
          onPushed={() => mutate()}
        />
        <ConfigHistoryCard
          referenceVersion={status?.reference?.version}
          canRollback={can(user, 'rollbackConfiguration')}
          onPushed={() => mutate()}
        />
        <PluginsCard canEdit={can(user, 'installPlugin')} />
        <ServerSettingsForm canEdit={can(user, 'changeServerSettings')} />
        <CertificatePanel canEdit={can(user, 'manageCertificate')} />
        {can(user, 'exportConfiguration') && <ExportImportCard onImported={() => mutate()} />}
      </div>
    </>
  );
}
