'use client';

import { useState } from 'react';
import { clusterRefreshMs, useCluster } from '@/lib/swr/use-cluster';
import { useMemberSystemLog } from '@/lib/swr/use-member-system-log';
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

/** A member's system log (this node's at first), newest first, following the heartbeat; each node keeps its own file. */
export function LogsView() {
  const [minimum, setMinimum] = useState<string>('debug');
  const [lineCount, setLineCount] = useState<number>(LINE_COUNTS[0]);
  // empty: the node answering this page
  const [member, setMember] = useState('');
  const { data: cluster } = useCluster();
  const { data: log, error } = useMemberSystemLog(member, lineCount, clusterRefreshMs(cluster));
  const local = cluster?.nodes.find((node) => node.local);
  const members = cluster?.nodes.filter((node) => node.state !== 'REMOVED') ?? [];
  const shown = members.find((node) => node.id === member) ?? local;
  const lines = log?.lines.filter((line) => atLeast(line.level, minimum)).reverse();

  return (
    <>
      <PageHeader
        title={shown ? `System log of ${shown.name}` : 'System log'}
        description="Each node's own log file, newest first; another member's is read through its advertised address. It updates by itself."
      />
      <div className="space-y-4">
        <p className="rounded-md border border-blue-200 bg-blue-50 px-3.5 py-2.5 text-sm text-blue-900">
          The system log is local to each node: every node writes its own file
          {log ? (
            <>
              {' '}
              (<code>{log.file}</code> in its data directory)
            </>
          ) : null}
          ; pick a member to read its file through that member. A run&apos;s server log is stored in the shared database and shown
          on the run&apos;s page on every node.
        </p>
        {error && <Alert title="The system log could not be read">{error.message}</Alert>}
        <div className="grid max-w-2xl grid-cols-3 gap-4">
          <SelectField label="Member" value={member} onChange={(event) => setMember(event.target.value)}>
            <option value="">{local ? `${local.name} (this node)` : 'this node'}</option>
            {members
              .filter((node) => !node.local)
              .map((node) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                  {node.state === 'NOT_RESPONDING' ? ' (not responding)' : ''}
                </option>
              ))}
          </SelectField>
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
        <SystemLogTable
          lines={lines}
          empty={minimum === 'debug' ? 'The system log is empty.' : 'No lines at this level or above.'}
        />
      </div>
    </>
  );
}
