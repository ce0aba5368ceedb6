/**
 * What several commands share: reading GET /api/cluster, finding a node by id or name in it,
 * and printing aligned tables and settings.
 */
import type { TClusterStatus, TMemberView } from '@/lib/cluster/status';
import type { TSettingsView } from '@/lib/cluster/settings';
import { callApi, CliError, type TCredentialOptions } from './api-client';

export type TNodeCommandOptions = TCredentialOptions & { url: string };

export function readCluster(options: TNodeCommandOptions): Promise<TClusterStatus> {
  return callApi<TClusterStatus>(options.url, '/api/cluster', options);
}

/**
 * The member that NODE (an id or a name) stands for. Names are matched among live members only,
 * so that a node removed and later re-joined under the same name is not mistaken for its
 * tombstone; `includeRemoved` falls back to removed members, for reading their history.
 */
export function findNode(status: TClusterStatus, node: string, options: { includeRemoved?: boolean } = {}): TMemberView {
  const byId = status.nodes.find((member) => member.id === node);
  if (byId) return byId;
  const named = status.nodes.filter((member) => member.name === node);
  const live = named.filter((member) => member.state !== 'REMOVED');
  const candidates = live.length > 0 || !options.includeRemoved ? live : named;
  if (candidates.length === 0) throw new CliError(`no node named ${node} in the cluster`);
  if (candidates.length > 1) {
    throw new CliError(
      `${candidates.length} nodes are named ${node} (${candidates.map((member) => member.id).join(', ')}); give the node id`,
    );
  }
  return candidates[0];
}

export async function resolveNode(options: TNodeCommandOptions, node: string): Promise<TMemberView> {
  return findNode(await readCluster(options), node);
}

export function describeSettings(settings: TSettingsView): string {
  return (
    `heartbeat ${settings.heartbeatIntervalSeconds} s × ${settings.failoverHeartbeats} (fails over after ${settings.failoverSeconds} s), ` +
    `${settings.activeNodeCount} active, version ${settings.version}`
  );
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '))
    .join('\n');
}
