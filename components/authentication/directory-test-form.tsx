'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TDirectoryTest, TDirectoryTestResult } from '@/lib/auth/directory/schemas';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

/** *Test*: what the directory says about a user name and password, without signing anyone in. */
export function DirectoryTestForm() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [result, setResult] = useState<TDirectoryTestResult | null>(null);
  const { busy, failure, call } = useApiCall();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResult(null);
    await call(async () => {
      setResult(await apiSend<TDirectoryTestResult>('POST', '/api/auth/test', { name, password } satisfies TDirectoryTest));
    });
  }

  return (
    <Card
      title="Test"
      description="Looks a directory user up with the stored LDAP configuration and checks the password: the DN found, the groups and the role a sign-in would get. Nobody is signed in and no user is created."
    >
      <form onSubmit={submit} aria-label="Test a directory user" className="grid gap-4 sm:grid-cols-2" noValidate>
        <FormField
          label="Directory user"
          name="test-name"
          autoComplete="off"
          value={name}
          error={failure?.messageFor('name')}
          onChange={(event) => setName(event.target.value)}
        />
        <FormField
          label="Their password"
          name="test-password"
          type="password"
          autoComplete="off"
          value={password}
          error={failure?.messageFor('password')}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div className="sm:col-span-2">
          <Button type="submit" variant="primary" disabled={busy || !name || !password}>
            {busy ? 'Testing…' : 'Test'}
          </Button>
        </div>
      </form>
      {failure && !failure.isAboutAny(['name', 'password']) && <Alert>{failure.message}</Alert>}
      {result && (
        <dl className="mt-4 space-y-2 text-sm" aria-label="Test result">
          <div>
            <dt className="font-medium text-gray-700">DN</dt>
            <dd className="font-mono break-all">{result.dn}</dd>
          </div>
          <div>
            <dt className="font-medium text-gray-700">Groups</dt>
            <dd>
              {result.groups.length ? (
                <ul className="font-mono break-all">
                  {result.groups.map((group) => (
                    <li key={group}>{group}</li>
                  ))}
                </ul>
              ) : (
                'none'
              )}
            </dd>
          </div>
          <div>
            <dt className="font-medium text-gray-700">Role</dt>
            <dd>
              <Badge tone={result.role ? 'green' : 'red'}>{result.role ?? 'refused'}</Badge>{' '}
              <span className="text-gray-600">{result.message}</span>
            </dd>
          </div>
        </dl>
      )}
    </Card>
  );
}
