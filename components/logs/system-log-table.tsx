'use client';

import Link from 'next/link';
import type { TSystemLogLine } from '@/lib/workflow/system-log';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { EventTime } from '@/components/cluster/event-time';
import { LogLevelBadge } from '@/components/logs/log-level-badge';
import { shortId } from '@/components/workflow/format';

const COLUMNS = ['Time', 'Level', 'Run', 'Message'];

/** System log lines as given (the view orders them); a line about a run links to the run. */
export function SystemLogTable({ lines, empty }: { lines: TSystemLogLine[] | undefined; empty: string }) {
  return (
    <Table caption="System log">
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            // the message takes the width the other columns do not need
            <Th key={column} className={column === 'Message' ? 'w-full' : 'whitespace-nowrap'}>
              {column}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!lines && <WideRow columns={COLUMNS.length}>Loading the system log…</WideRow>}
        {lines?.length === 0 && <WideRow columns={COLUMNS.length}>{empty}</WideRow>}
        {lines?.map((line, index) => (
          <tr key={`${line.time}-${index}`}>
            <Td className="py-1.5 whitespace-nowrap text-gray-600">{line.time ? <EventTime value={line.time} /> : '—'}</Td>
            <Td className="py-1.5">
              <LogLevelBadge level={line.level} />
            </Td>
            <Td className="py-1.5">
              {line.runId ? (
                <Link
                  href={`/workflows/runs/${line.runId}`}
                  title={line.runId}
                  className="font-mono text-xs text-indigo-700 hover:underline"
                >
                  {shortId(line.runId)}
                </Link>
              ) : (
                <span className="text-gray-400">—</span>
              )}
            </Td>
            <Td className="py-1.5 font-mono text-xs break-words">{line.message}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
