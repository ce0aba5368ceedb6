/** `orchctl settings`: show the cluster settings, or change some of them. */
import type { TSettingsUpdate, TSettingsView } from '@/lib/cluster/settings';
import { callApi } from './api-client';
import { describeSettings, readCluster, type TNodeCommandOptions } from './cluster-view';

export type TSettingsOptions = TNodeCommandOptions & {
  heartbeatInterval?: number;
  failoverHeartbeats?: number;
  activeNodes?: number;
};

export async function changeSettings(options: TSettingsOptions): Promise<void> {
  const { settings } = await readCluster(options);
  const changes: Omit<TSettingsUpdate, 'version'> = {
    heartbeatIntervalSeconds: options.heartbeatInterval,
    failoverHeartbeats: options.failoverHeartbeats,
    activeNodeCount: options.activeNodes,
  };
  if (Object.values(changes).every((value) => value === undefined)) {
    console.log(describeSettings(settings));
    return;
  }
  // the version just read: if someone changes the settings in between, the server answers 409
  const updated = await callApi<TSettingsView>(options.url, '/api/cluster/settings', {
    ...options,
    method: 'PUT',
    body: { ...changes, version: settings.version } satisfies TSettingsUpdate,
  });
  console.log(describeSettings(updated));
}
