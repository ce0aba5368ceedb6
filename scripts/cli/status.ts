/** `orchctl status`: the cluster as one node sees it. */
import type { TMemberView } from '@/lib/cluster/status';
import { describeSettings, formatTable, readCluster, type TNodeCommandOptions } from './cluster-view';

function formatAge(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function formatSkew(ms: number | null): string {
  if (ms === null) return '-';
  return `${ms > 0 ? '+' : ''}${Math.round(ms)} ms`;
}

function nodeRow(node: TMemberView): string[] {
  return [
    node.local ? '*' : ' ',
    node.name,
    node.url,
    node.state,
    node.state === 'REMOVED' ? '-' : `${formatAge(node.lastHeartbeatAgeMs)} ago`,
    node.epoch === null ? '-' : String(node.epoch),
    formatSkew(node.clockSkewMs),
    node.syncState,
  ];
}

export async function printStatus(options: TNodeCommandOptions & { json?: boolean }): Promise<void> {
  const status = await readCluster(options);
  if (options.json) {
    // the SPEC §4 contract: printed exactly as the API returns it
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  console.log(`cluster: ${status.standalone ? 'standalone' : `${status.name} (${status.clusterId})`}`);
  console.log(`settings: ${describeSettings(status.settings)}`);
  console.log(formatTable([' ', 'NAME', 'URL', 'STATE', 'HEARTBEAT', 'EPOCH', 'SKEW', 'SYNC'], status.nodes.map(nodeRow)));
}
