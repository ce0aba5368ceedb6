'use client';

import { useState, type FormEvent } from 'react';
import Image from 'next/image';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { pickReturnPath } from '@/lib/auth/pick-return-path';

const WRONG_CREDENTIALS = 'Wrong user name or password.';

export function LoginForm({
  callbackUrl,
  openIdLabel,
  initialError,
}: {
  callbackUrl?: string;
  openIdLabel?: string | null;
  initialError?: string;
}) {
  const router = useRouter();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(initialError ?? null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await signIn('credentials', { redirect: false, username, password });
      if (result?.ok && !result.error) {
        router.replace(pickReturnPath(callbackUrl, window.location.origin));
        router.refresh();
        return;
      }
      // the server throws readable messages (e.g. too many attempts); only a plain refusal is generic
      setError(!result?.error || result.error === 'CredentialsSignin' ? WRONG_CREDENTIALS : result.error);
    } catch {
      setError('The server could not be reached. Try again.');
    }
    setBusy(false);
  }

  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-3">
          <Image src="/icon.svg" alt="" width={36} height={36} unoptimized priority />
          <h1 className="text-xl font-semibold text-gray-900">Orchestrator Control Center</h1>
        </div>
        <form onSubmit={submit} className="space-y-4 rounded-lg border border-gray-200 bg-white p-6 shadow-sm" noValidate>
          <h2 className="text-base font-semibold text-gray-900">Sign in</h2>
          {error && <Alert>{error}</Alert>}
          <FormField
            label="User name"
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
          <FormField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <Button type="submit" variant="primary" className="w-full" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
        {openIdLabel && (
          <div className="mt-4">
            <Button
              variant="secondary"
              className="w-full"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void signIn('oidc', { callbackUrl: pickReturnPath(callbackUrl, window.location.origin) });
              }}
            >
              {openIdLabel}
            </Button>
          </div>
        )}
      </div>
    </main>
  );
}
