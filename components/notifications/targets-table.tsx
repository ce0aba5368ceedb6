'use client';

import { useState } from 'react';
import { apiSend, toApiError } from '@/lib/api/fetcher';
import type { TTargetView } from '@/lib/notify/schemas';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

export function TargetsTable({ targets, onChange }: { targets: TTargetView[] | undefined; onChange: () => Promise<void> }) {
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  async function sendTest(target: TTargetView) {
    setMessage(null);
    try {
      const { deliveryId } = await apiSend<{ deliveryId: string }>('POST', `/api/notifications/targets/${target.id}/test`);
      setMessage({
        tone: 'ok',
        text: `Test ${deliveryId.slice(0, 8)} queued for ${target.name}: its result appears in the delivery log.`,
      });
      await onChange();
    } catch (error) {
      setMessage({ tone: 'error', text: toApiError(error).message });
    }
  }

  async function remove(target: TTargetView) {
    try {
      await apiSend('DELETE', `/api/notifications/targets/${target.id}`);
      await onChange();
    } catch (error) {
      setMessage({ tone: 'error', text: toApiError(error).message });
    }
  }

  return (
    <div className="space-y-3">
      {message?.tone === 'error' && <Alert>{message.text}</Alert>}
      {message?.tone === 'ok' && (
        <p role="status" className="text-sm text-green-800">
          {message.text}
        </p>
      )}
      <Table caption="Notification targets">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Kind</Th>
            <Th>Sends to</Th>
            <Th>Events</Th>
            <Th>Secret</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {!targets && <WideRow columns={6}>Loading…</WideRow>}
          {targets?.length === 0 && <WideRow columns={6}>No targets yet: nobody is told about a failover.</WideRow>}
          {targets?.map((target) => (
            <tr key={target.id}>
              <Td className="font-medium">{target.name}</Td>
              <Td>
                <Badge tone={target.kind === 'WEBHOOK' ? 'blue' : 'gray'}>
                  {target.kind === 'WEBHOOK' ? 'webhook' : 'email'}
                </Badge>
              </Td>
              <Td className="max-w-xs truncate font-mono text-xs">
                {target.url ??
                  `${target.smtp?.to.join(', ')} via ${target.smtp?.host}:${target.smtp?.port} (${target.smtp?.security})`}
              </Td>
              <Td className="text-xs">{target.events.length === 9 ? 'all events' : target.events.join(', ')}</Td>
              <Td className="text-xs text-gray-600">{target.hasSecret ? 'set (hidden)' : 'none'}</Td>
              <Td className="whitespace-nowrap text-right">
                <span className="inline-flex gap-2">
                  <Button size="sm" onClick={() => void sendTest(target)}>
                    Send test
                  </Button>
                  <ConfirmButton
                    label="Remove"
                    question={`Remove ${target.name}?`}
                    confirmLabel="Remove target"
                    onConfirm={() => remove(target)}
                  />
                </span>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
