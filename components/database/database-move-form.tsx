'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TDatabaseMove, TDatabaseMoveStarted } from '@/lib/database/move-database';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

/** Admins: the whole cluster to new credentials or a new address of the same database. */
export function DatabaseMoveForm() {
  const [url, setUrl] = useState('');
  const [started, setStarted] = useState<TDatabaseMoveStarted | null>(null);
  const { busy, failure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await call(async () => {
      setStarted(await apiSend<TDatabaseMoveStarted>('POST', '/api/database/move', { url } satisfies TDatabaseMove));
      setUrl('');
    });
  }

  return (
    <Card
      title="Move the whole cluster"
      description="New credentials or a new address for the same database (a password rotation, a renamed host). Every node tests the new connection string first; only when all pass do they switch, one at a time, with an active node throughout."
    >
      <form onSubmit={submit} aria-label="Move the whole cluster" className="space-y-4" noValidate>
        <FormField
          label="New connection string"
          name="url"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="postgresql://user:new-password@db1:5432/orch"
          value={url}
          error={failure?.messageFor('url') ?? failure?.messageFor('(root)')}
          hint="Kept only in each node's data directory; never shown, logged or audited."
          onChange={(event) => setUrl(event.target.value)}
        />
        {failure && !failure.isAboutAny(['url', '(root)']) && <Alert>{failure.message}</Alert>}
        {started && (
          <Notice>
            Every node ({started.nodes.join(', ')}) tested {started.url}. Rolling reset #{started.rolloutId} switches them one at
            a time: follow it on the{' '}
            <Link href="/cluster" className="underline">
              Cluster page
            </Link>
            .
          </Notice>
        )}
        <Button type="submit" variant="primary" disabled={busy || url.trim() === ''}>
          {busy ? 'Every node is testing it…' : 'Move the whole cluster'}
        </Button>
      </form>
    </Card>
  );
}
