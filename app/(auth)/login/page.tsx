import type { Metadata } from 'next';
import { LoginForm } from '@/components/auth/login-form';
import { openIdSignInLabel, signInErrorMessage } from '@/lib/auth/directory/login-options';
import { db } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Sign in' };

type TProps = { searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[] }> };

export default async function LoginPage({ searchParams }: TProps) {
  const { callbackUrl, error } = await searchParams;
  return (
    <LoginForm
      callbackUrl={typeof callbackUrl === 'string' ? callbackUrl : undefined}
      openIdLabel={await openIdSignInLabel(db())}
      initialError={typeof error === 'string' ? signInErrorMessage(error) : undefined}
    />
  );
}
