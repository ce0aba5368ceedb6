import type { TDeliveryView } from '@/lib/notify/schemas';
import { Badge, type TTone } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

const STATUS_TONES: Record<TDeliveryView['status'], TTone> = { DELIVERED: 'green', PENDING: 'amber', FAILED: 'red' };

export function DeliveryLog({ deliveries }: { deliveries: TDeliveryView[] | undefined }) {
  return (
    <Table caption="Delivery log">
      <thead>
        <tr>
          <Th>Created</Th>
          <Th>Target</Th>
          <Th>Event</Th>
          <Th>Node</Th>
          <Th>Status</Th>
          <Th>Attempts (newest first)</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!deliveries && <WideRow columns={6}>Loading…</WideRow>}
        {deliveries?.length === 0 && <WideRow columns={6}>Nothing delivered yet.</WideRow>}
        {deliveries?.map((delivery) => (
          <tr key={delivery.id} data-delivery={delivery.id}>
            <Td className="whitespace-nowrap">
              <DateTime value={delivery.createdAt} />
            </Td>
            <Td>{delivery.targetName}</Td>
            <Td className="font-mono text-xs">{delivery.kind}</Td>
            <Td>{delivery.nodeName ?? '—'}</Td>
            <Td>
              <Badge tone={STATUS_TONES[delivery.status]}>{delivery.status.toLowerCase()}</Badge>
            </Td>
            <Td className="text-xs">
              {delivery.attempts.length === 0 && <span className="text-gray-500">not tried yet</span>}
              <ul className="space-y-0.5">
                {delivery.attempts.slice(0, 4).map((attempt) => (
                  <li key={attempt.at} className={attempt.ok ? 'text-green-800' : 'text-red-800'}>
                    {attempt.result} · {attempt.durationMs} ms · {attempt.nodeName ?? '?'}
                  </li>
                ))}
              </ul>
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
