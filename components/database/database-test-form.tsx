'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TDatabaseTest, TDatabaseTestResult } from '@/lib/database/test-database';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { DatabaseTestResults } from '@/components/database/database-test-results';
import { useApiCall } from '@/components/ui/use-api-call';

/** Admins try a connection string: this node runs the checks and answers one line per check. */
export function DatabaseTestForm() {
  const [url, setUrl] = useState('');
  const [result, setResult] = useState<TDatabaseTestResult | null>(null);
  const { busy, failure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResult(null);
    await call(async () => {
      setResult(await apiSend<TDatabaseTestResult>('POST', '/api/database/test', { url } satisfies TDatabaseTest));
    });
  }

  return (
    <Card
      title="Test a connection string"
      description="Checks another database before it is used: reachable, version 14 or later, allowed to create tables, empty or ours, enough connections for the cluster, TLS, and not a read-only standby. Nothing is changed on it."
    >
      <form onSubmit={submit} aria-label="Test a connection string" className="space-y-4" noValidate>
        <FormField
          label="Connection string"
          name="url"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="postgresql://user:password@db1:5432,db2:5432/orch?target_session_attrs=read-write"
          value={url}
          error={failure?.messageFor('url') ?? failure?.messageFor('(root)')}
          hint="Several hosts are tried in order, as libpq does. The password is not shown, kept or logged."
          onChange={(event) => setUrl(event.target.value)}
        />
        {failure && !failure.isAboutAny(['url', '(root)']) && <Alert>{failure.message}</Alert>}
        <div className="flex min-h-10 items-center gap-4">
          <Button type="submit" variant="primary" disabled={busy || url.trim() === ''}>
            {busy ? 'Testing…' : 'Run the checks'}
          </Button>
          {result && <Badge tone={result.ok ? 'green' : 'red'}>{result.ok ? 'every check passed' : 'some checks failed'}</Badge>}
        </div>
      </form>
      {result && <DatabaseTestResults result={result} />}
    </Card>
  );
}
