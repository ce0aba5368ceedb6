/**
 * `orchctl config history|diff|rollback`: the pushed configuration versions, the field-level
 * difference between two of them, and pushing an older one again (optionally with a rolling reset).
 */
import type { THistoryEntry, TVersionComparison } from '@/lib/config/config-history';
import type { TConfigDifference } from '@/lib/config/config-diff';
import type { TPushResult } from '@/lib/config/push-configuration';
import { callApi } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';
import { followRollout, type TPushOptions } from './push';

export type THistoryOptions = TNodeCommandOptions & { json?: boolean };

export async function printConfigHistory(options: THistoryOptions): Promise<void> {
  const { versions } = await callApi<{ versions: THistoryEntry[] }>(options.url, '/api/config/versions', options);
  if (options.json) return console.log(JSON.stringify(versions, null, 2));
  if (versions.length === 0) return console.log('no configuration was pushed yet');
  for (const entry of versions) {
    const changes =
      entry.changes === null
        ? 'earliest version kept'
        : entry.changes.length === 0
          ? 'no field changed'
          : entry.changes.map(describeDifference).join('; ');
    console.log(
      `${entry.reference ? '*' : ' '} ${String(entry.version).padStart(4)}  ${entry.pushedAt}  ${entry.pushedBy} from ${entry.pushedFromName}  ${entry.fingerprint.slice(0, 12)}  ${changes}`,
    );
  }
}

export async function printConfigDiff(options: THistoryOptions, from: string, to: string): Promise<void> {
  const query = new URLSearchParams({ from, to });
  const comparison = await callApi<TVersionComparison>(options.url, `/api/config/versions/compare?${query}`, options);
  if (options.json) return console.log(JSON.stringify(comparison, null, 2));
  if (comparison.differences.length === 0) return console.log(`versions ${from} and ${to} have the same configuration`);
  for (const difference of comparison.differences) console.log(describeDifference(difference));
}

export async function rollbackConfiguration(options: TPushOptions, version: string): Promise<void> {
  const result = await callApi<TPushResult>(options.url, `/api/config/versions/${encodeURIComponent(version)}/rollback`, {
    ...options,
    method: 'POST',
    body: { reset: !!options.reset },
  });
  console.log(
    result.created
      ? `configuration version ${version} pushed again as version ${result.version} (fingerprint ${result.fingerprint}); every node writes it within one heartbeat`
      : `version ${version} already has the reference's configuration (version ${result.version})`,
  );
  if (result.rolloutId === null) return;
  console.log(`rolling reset #${result.rolloutId} started`);
  if (options.wait === false) return;
  await followRollout(options, result.rolloutId, (options.timeout ?? 600) * 1000);
}

/** One line per field: "plugin greeting: added (1.0.0 (abc…))", "setting logLevel: info → debug". */
export function describeDifference(difference: TConfigDifference): string {
  const value = (item: unknown) =>
    item === null || item === undefined ? '—' : typeof item === 'string' ? item : JSON.stringify(item);
  const field = difference.kind === 'certificate' ? 'certificate' : `${difference.kind} ${difference.name}`;
  if (difference.change === 'added') return `${field}: added (${value(difference.node)})`;
  if (difference.change === 'removed') return `${field}: removed (was ${value(difference.base)})`;
  return `${field}: ${value(difference.base)} → ${value(difference.node)}`;
}
