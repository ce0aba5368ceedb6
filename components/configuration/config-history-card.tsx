'use client';

import { useState } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { THistoryEntry } from '@/lib/config/config-history';
import type { TConfigDifference } from '@/lib/config/config-diff';
import type { TPushResult } from '@/lib/config/push-configuration';
import { useConfigHistory, useVersionComparison } from '@/lib/swr/use-config-history';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DateTime } from '@/components/ui/date-time';
import { SelectField } from '@/components/ui/form-field';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { ConfigDiffTable } from '@/components/cluster/config-diff-table';
import { shortFingerprint } from '@/components/cluster/format';
import { useApiCall } from '@/components/ui/use-api-call';

type TProps = {
  referenceVersion: number | null | undefined;
  /** operators and administrators push a version again; viewers read */
  canRollback: boolean;
  /** reads the cluster status again after a push */
  onPushed: () => Promise<unknown>;
};

/** Every kept pushed version (who, when, from where, what changed), comparing two, and pushing an older one again. */
export function ConfigHistoryCard({ referenceVersion, canRollback, onPushed }: TProps) {
  const { data, error, mutate } = useConfigHistory(referenceVersion);
  const versions = data?.versions ?? [];
  const [pair, setPair] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [compared, setCompared] = useState<{ from: number; to: number } | null>(null);
  const comparison = useVersionComparison(compared);
  const [reset, setReset] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const { failure, call } = useApiCall();

  async function pushAgain(version: number) {
    setResult(null);
    await call(async () => {
      const pushed = await apiSend<TPushResult>('POST', `/api/config/versions/${version}/rollback`, { reset });
      setResult(
        `Version ${version} pushed again as version ${pushed.version}.` +
          (pushed.rolloutId !== null
            ? ` Rolling reset #${pushed.rolloutId} started.`
            : ' Every node writes it within one heartbeat and then waits for a restart.'),
      );
    });
    await Promise.all([mutate(), onPushed()]);
  }

  const from = pair.from || String(versions[1]?.version ?? '');
  const to = pair.to || String(versions[0]?.version ?? '');
  return (
    <Card
      title="Configuration history"
      description="Every pushed version still kept, newest first. Compare any two, or push an older one again: it becomes a new version, the reference, and every node writes it as after a push."
    >
      <div className="space-y-4">
        {error && <Alert title="The history could not be read">{error.message}</Alert>}
        <Table caption="Pushed configuration versions">
          <thead>
            <tr>
              <Th>Version</Th>
              <Th>Pushed</Th>
              <Th>By</Th>
              <Th>From node</Th>
              <Th>What changed</Th>
              {canRollback && <Th>Action</Th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {!data && !error && <WideRow columns={6}>Loading…</WideRow>}
            {data && versions.length === 0 && <WideRow columns={6}>Nothing has been pushed yet.</WideRow>}
            {versions.map((entry) => (
              <tr key={entry.version} aria-label={`Version ${entry.version}`}>
                <Td className="tabular-nums">
                  <span className="font-semibold">{entry.version}</span>{' '}
                  <code title={entry.fingerprint} className="font-mono text-xs text-gray-500">
                    {shortFingerprint(entry.fingerprint)}
                  </code>
                  {entry.reference && (
                    <span className="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs font-medium text-green-800">reference</span>
                  )}
                </Td>
                <Td>
                  <DateTime value={entry.pushedAt} />
                </Td>
                <Td>{entry.pushedBy}</Td>
                <Td>{entry.pushedFromName}</Td>
                <Td>
                  <ChangeSummary entry={entry} />
                </Td>
                {canRollback && (
                  <Td>
                    {!entry.reference && entry.invalid === null && (
                      <ConfirmButton
                        label="Push this version again"
                        question={`Make version ${entry.version} the reference${reset ? ' and reset the nodes' : ''}?`}
                        confirmLabel={`Push version ${entry.version}`}
                        onConfirm={() => pushAgain(entry.version)}
                      />
                    )}
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
        {canRollback && (
          <label className="flex items-center gap-2 text-sm text-gray-800">
            <input type="checkbox" checked={reset} onChange={(event) => setReset(event.target.checked)} />
            and reset nodes (restart them one at a time, as “Push configuration and reset nodes” does)
          </label>
        )}
        {result && <Notice>{result}</Notice>}
        {failure && <Alert title="Pushing the version again failed">{failure.message}</Alert>}
        {versions.length > 1 && (
          <form
            aria-label="Compare two versions"
            className="flex flex-wrap items-end gap-3"
            onSubmit={(event) => {
              event.preventDefault();
              setCompared({ from: Number(from), to: Number(to) });
            }}
          >
            <SelectField label="Compare version" value={from} onChange={(event) => setPair({ from: event.target.value, to })}>
              {versions.map((entry) => (
                <option key={entry.version} value={entry.version}>
                  {entry.version}
                </option>
              ))}
            </SelectField>
            <SelectField label="with version" value={to} onChange={(event) => setPair({ from, to: event.target.value })}>
              {versions.map((entry) => (
                <option key={entry.version} value={entry.version}>
                  {entry.version}
                </option>
              ))}
            </SelectField>
            <Button type="submit">Compare</Button>
          </form>
        )}
        {comparison.error && <Alert title="The comparison failed">{comparison.error.message}</Alert>}
        {compared && comparison.data && (
          <ConfigDiffTable
            title={`Version ${compared.to} against version ${compared.from}`}
            description={`what version ${compared.to} has that version ${compared.from} has not`}
            differences={comparison.data.differences}
            nodeColumn={`Version ${compared.to}`}
            baseColumn={`Version ${compared.from}`}
          />
        )}
      </div>
    </Card>
  );
}

function ChangeSummary({ entry }: { entry: THistoryEntry }) {
  if (entry.invalid) return <span className="text-red-700">{entry.invalid}</span>;
  if (entry.changes === null) return <span className="text-gray-500">earliest version kept</span>;
  if (entry.changes.length === 0) return <span className="text-gray-500">same configuration as the version before</span>;
  return <span>{entry.changes.map(describeChange).join('; ')}</span>;
}

function describeChange(difference: TConfigDifference): string {
  if (difference.kind === 'certificate') return `certificate ${difference.change}`;
  if (difference.kind === 'plugin') return `plugin ${difference.name} ${difference.change}`;
  return `${difference.name} ${JSON.stringify(difference.base)} → ${JSON.stringify(difference.node)}`;
}
