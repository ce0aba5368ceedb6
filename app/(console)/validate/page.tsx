import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { ValidateView } from '@/components/validate/validate-view';

export const metadata: Metadata = { title: 'Validate configuration' };

export default async function ValidatePage() {
  const user = await requirePageUser();
  return <ValidateView user={user} />;
}
