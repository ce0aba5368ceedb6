import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { AuthenticationView } from '@/components/authentication/authentication-view';

export const metadata: Metadata = { title: 'Authentication' };

export default async function AuthenticationPage() {
  await requirePageUser('admin');
  return <AuthenticationView />;
}
