/** `orchctl status`: the cluster as one node sees it. */
import type { TClusterStatus } from '@/lib/cluster/status';
import { callApi, type TCredentialOptions } from './api-client';

export async function printStatus(options: TCredentialOptions & { url: string; json?: boolean }): Promise<void> {
  const status = await callApi<TClusterStatus>(options.url, '/api/cluster', options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  const { settings } = status;
  console.log(`cluster: ${status.clusterId ?? 'standalone'}`);
  console.log(
    `settings: heartbeat ${settings.heartbeatIntervalSeconds} s × ${settings.failoverHeartbeats}, ${settings.activeNodeCount} active (version ${settings.version})`,
  );
  const rows = status.nodes.map((node) => [
    `${node.local ? '*' : ' '} ${node.name}`,
    node.url,
    node.state,
    `${Math.round(node.lastHeartbeatAgeMs)} ms`,
    node.syncState,
    String(node.epoch),
  ]);
  const header = ['  NAME', 'URL', 'STATE', 'HEARTBEAT', 'SYNC', 'EPOCH'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
}
