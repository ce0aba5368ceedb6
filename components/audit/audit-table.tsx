import type { TAuditEntryView } from '@/lib/audit/list-audit';
import { Badge } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

export function AuditTable({ entries }: { entries: TAuditEntryView[] | undefined }) {
  return (
    <Table caption="Audit log">
      <thead>
        <tr>
          <Th className="w-52">Time</Th>
          <Th>Who</Th>
          <Th>Action</Th>
          <Th>Result</Th>
          <Th>From</Th>
          <Th>Node</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!entries && <WideRow columns={6}>Loading…</WideRow>}
        {entries?.length === 0 && <WideRow columns={6}>Nothing recorded yet.</WideRow>}
        {entries?.map((entry) => (
          <tr key={entry.id}>
            <Td className="whitespace-nowrap">
              <DateTime value={entry.at} />
            </Td>
            <Td>
              {entry.actor ?? <span className="text-gray-500">anonymous</span>}
              {entry.role && (
                <span className="block text-xs text-gray-500">
                  {entry.role} · {entry.via}
                </span>
              )}
            </Td>
            <Td className="font-mono text-xs break-all">
              {entry.method} {entry.path}
            </Td>
            <Td className="whitespace-nowrap">
              <Badge tone={entry.status < 400 ? 'green' : 'red'}>{entry.status}</Badge>
              {entry.errorCode && <span className="ml-2 text-xs text-gray-600">{entry.errorCode}</span>}
            </Td>
            <Td className="font-mono text-xs">{entry.address ?? '—'}</Td>
            <Td>{entry.nodeName ?? '—'}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
