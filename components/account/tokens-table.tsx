'use client';

import { useState } from 'react';
import type { TTokenView } from '@/lib/tokens/schemas';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DateTime } from '@/components/ui/date-time';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

const COLUMNS = 7;

export function TokensTable({ tokens, onRevoke }: { tokens: TTokenView[] | undefined; onRevoke: (id: string) => Promise<void> }) {
  return (
    <Table caption="API tokens">
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Prefix</Th>
          <Th>Created</Th>
          <Th>Last used</Th>
          <Th>Expires</Th>
          <Th>Status</Th>
          <Th className="w-28">
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!tokens && <WideRow columns={COLUMNS}>Loading tokens…</WideRow>}
        {tokens?.length === 0 && <WideRow columns={COLUMNS}>No tokens yet.</WideRow>}
        {tokens?.map((token) => (
          <TokenRow key={token.id} token={token} onRevoke={onRevoke} />
        ))}
      </tbody>
    </Table>
  );
}

function TokenRow({ token, onRevoke }: { token: TTokenView; onRevoke: (id: string) => Promise<void> }) {
  const [busy, setBusy] = useState(false);

  async function revoke() {
    setBusy(true);
    await onRevoke(token.id);
    setBusy(false);
  }

  return (
    <tr>
      <Td className="font-medium">{token.name}</Td>
      <Td className="font-mono text-xs">{token.prefix}…</Td>
      <Td>
        <DateTime value={token.createdAt} />
      </Td>
      <Td>
        <DateTime value={token.lastUsedAt} fallback="never" />
      </Td>
      <Td>
        <DateTime value={token.expiresAt} fallback="never" />
      </Td>
      <Td>
        <TokenStatus token={token} />
      </Td>
      <Td>
        {!token.revokedAt && (
          <Button
            size="sm"
            variant="ghost"
            className="text-red-700"
            disabled={busy}
            aria-label={`Revoke ${token.name}`}
            onClick={revoke}
          >
            Revoke
          </Button>
        )}
      </Td>
    </tr>
  );
}

/** Revoked wins over expired: it is what someone did, not what time did. */
function TokenStatus({ token }: { token: TTokenView }) {
  if (token.revokedAt) {
    return (
      <span>
        revoked <DateTime value={token.revokedAt} />
      </span>
    );
  }
  if (token.expired) return <Badge tone="gray">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}
