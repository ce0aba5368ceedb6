/** `orchctl events`: the cluster's event timeline, newest first. */
import { EVENT_KINDS, type TClusterEventView } from '@/lib/cluster/events';
import { callApi, CliError } from './api-client';
import { findNode, formatTable, readCluster, type TNodeCommandOptions } from './cluster-view';

export type TEventsOptions = TNodeCommandOptions & { node?: string; kind?: string; limit?: number; json?: boolean };

export function parseEventKind(value: string): string {
  const kind = value.toUpperCase();
  if (!(EVENT_KINDS as readonly string[]).includes(kind))
    throw new CliError(`--kind takes one of ${EVENT_KINDS.join(', ')}, not "${value}"`);
  return kind;
}

export async function printEvents(options: TEventsOptions): Promise<void> {
  const query = new URLSearchParams();
  if (options.node) {
    // a removed node's history is still worth reading
    query.set('node', findNode(await readCluster(options), options.node, { includeRemoved: true }).id);
  }
  if (options.kind) query.set('kind', options.kind);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  const events = await callApi<TClusterEventView[]>(options.url, `/api/cluster/events?${query}`, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
    return;
  }
  if (events.length === 0) {
    console.log('no events');
    return;
  }
  const rows = events.map((event) => [
    event.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    event.kind,
    event.nodeName ?? event.nodeId ?? '-',
    event.actor ?? '-',
  ]);
  console.log(formatTable(['TIME (UTC)', 'KIND', 'NODE', 'ACTOR'], rows));
}
