'use client';

import { usePlugins } from '@/lib/swr/use-plugins';
import { useRefreshCluster } from '@/lib/swr/polling';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PluginsTable } from '@/components/configuration/plugins-table';
import { PluginUploadForm } from '@/components/configuration/plugin-upload-form';
import { PluginActions } from '@/components/configuration/plugin-actions';

/** This node's plugin packages, the files that are not valid packages, and (admins) installing one. */
export function PluginsCard({ canEdit }: { canEdit: boolean }) {
  const { data, error, mutate } = usePlugins();
  const refreshCluster = useRefreshCluster();
  return (
    <Card
      title="Plugins"
      description="The plugin packages on this node's disk. A node loads its enabled plugins when it starts; installing, disabling or uninstalling one is a local change until it is pushed."
    >
      <div className="space-y-4">
        {error && <Alert title="The plugins could not be read">{error.message}</Alert>}
        <PluginsTable
          plugins={data?.plugins}
          actions={
            canEdit
              ? (plugin) => (
                  <PluginActions
                    name={plugin.name}
                    enabled={plugin.enabled}
                    onChanged={() => Promise.all([mutate(), refreshCluster()])}
                  />
                )
              : undefined
          }
        />
        {data && data.errors.length > 0 && (
          <div role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2.5 text-sm text-amber-900">
            <p className="font-semibold">These files in the plugins directory are not valid packages and are not loaded:</p>
            <ul className="mt-1 space-y-0.5">
              {data.errors.map((fileError) => (
                <li key={fileError.file}>
                  <code className="font-mono text-xs">{fileError.file}</code>: {fileError.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {canEdit ? (
          <div className="border-t border-gray-200 pt-4">
            {/* the sync states change with the install: read them again at once */}
            <PluginUploadForm onInstalled={() => Promise.all([mutate(), refreshCluster()])} />
          </div>
        ) : (
          <p className="text-sm text-gray-600">Only an administrator can install plugins.</p>
        )}
      </div>
    </Card>
  );
}
