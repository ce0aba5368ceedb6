'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TDatabaseUse, TDatabaseUseAccepted } from '@/lib/database/use-database';
import { useDatabase } from '@/lib/swr/use-database';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

/**
 * Admins of a standalone node: leave the built-in database for an external one. The node checks
 * it, restarts, copies its data when asked and comes back on it; the page follows the restart.
 */
export function DatabaseUseForm() {
  const [url, setUrl] = useState('');
  const [copyData, setCopyData] = useState(true);
  const [accepted, setAccepted] = useState<TDatabaseUseAccepted | null>(null);
  const { busy, failure, call } = useApiCall();
  // while the node restarts, its answer is read every second until it says how the switch ended
  const { data } = useDatabase({ fast: accepted !== null });
  const finished = accepted !== null && data?.change?.operation === 'use';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await call(async () => {
      setAccepted(await apiSend<TDatabaseUseAccepted>('POST', '/api/database/use', { url, copyData } satisfies TDatabaseUse));
      setUrl('');
    });
  }

  return (
    <Card
      title="Use this database"
      description="This node runs on its built-in database. Switch it to an external PostgreSQL (empty, version 14 or later): the node checks it, restarts, and comes back on it. If anything fails, it stays on its built-in database as it was."
    >
      <form onSubmit={submit} aria-label="Use this database" className="space-y-4" noValidate>
        <FormField
          label="Connection string of the new database"
          name="url"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="postgresql://user:password@db1:5432/orch?sslmode=verify-full"
          value={url}
          error={failure?.messageFor('url') ?? failure?.messageFor('(root)')}
          hint="Kept only in this node's data directory (readable by the node's user alone); never shown, logged or audited."
          onChange={(event) => setUrl(event.target.value)}
        />
        <label className="flex items-center gap-2 text-sm text-gray-800">
          <input type="checkbox" checked={copyData} onChange={(event) => setCopyData(event.target.checked)} />
          Copy this node&apos;s data (users and tokens, workflows and runs, configuration, events, audit); the counts are verified
        </label>
        {failure && !failure.isAboutAny(['url', '(root)']) && <Alert>{failure.message}</Alert>}
        {accepted && !finished && (
          <Notice>
            Every check passed. The node restarts to switch to {accepted.url}
            {accepted.copyData ? ' and copy its data' : ''}…
          </Notice>
        )}
        <Button type="submit" variant="primary" disabled={busy || url.trim() === '' || (accepted !== null && !finished)}>
          {busy ? 'Checking…' : 'Use this database'}
        </Button>
      </form>
    </Card>
  );
}
