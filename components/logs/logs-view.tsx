'use client';

import { useState } from 'react';
import { clusterRefreshMs, useCluster } from '@/lib/swr/use-cluster';
import { useSystemLog } from '@/lib/swr/use-run';
import { Alert } from '@/components/ui/alert';
import { SelectField } from '@/components/ui/form-field';
import { PageHeader } from '@/components/shell/page-header';
import { SystemLogTable } from '@/components/logs/system-log-table';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const LINE_COUNTS = [200, 1000, 5000] as const;

/** The lowest level a line may have to be shown; a line with an unknown level is always shown. */
function atLeast(level: string, minimum: string): boolean {
  const rank = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  return rank === -1 || rank >= LEVELS.indexOf(minimum as (typeof LEVELS)[number]);
}

/** This node's system log, newest first, following the heartbeat; the file is local to the node, as in the reference product. */
export function LogsView() {
  const [minimum, setMinimum] = useState<string>('debug');
  const [lineCount, setLineCount] = useState<number>(LINE_COUNTS[0]);
  const { data: cluster } = useCluster();
  const { data: log, error } = useSystemLog(lineCount, clusterRefreshMs(cluster));
  const local = cluster?.nodes.find((node) => node.local);
  const lines = log?.lines.filter((line) => atLeast(line.level, minimum)).reverse();

  return (
    <>
      <PageHeader title={local ? `System log of ${local.name}` : 'System log'} description="This node's own log file, newest first; it updates by itself." />
      <div className="space-y-4">
        <p className="rounded-md border border-blue-200 bg-blue-50 px-3.5 py-2.5 text-sm text-blue-900">
          The system log is local to this node: each node writes its own file{log ? <> (<code>{log.file}</code> in its data directory)</> : null} and
          shows it here only, as the reference product does. A run&apos;s server log is stored in the shared database and shown on the run&apos;s page on
          every node.
        </p>
        {error && <Alert title="The system log could not be read">{error.message}</Alert>}
        <div className="grid max-w-md grid-cols-2 gap-4">
          <SelectField label="Level" value={minimum} onChange={(event) => setMinimum(event.target.value)}>
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level === 'debug' ? 'All' : `${level} and above`}
              </option>
            ))}
          </SelectField>
          <SelectField label="Lines" value={lineCount} onChange={(event) => setLineCount(Number(event.target.value))}>
            {LINE_COUNTS.map((count) => (
              <option key={count} value={count}>
                last {count}
              </option>
            ))}
          </SelectField>
        </div>
        <SystemLogTable lines={lines} empty={minimum === 'debug' ? 'The system log is empty.' : 'No lines at this level or above.'} />
      </div>
    </>
  );
}
