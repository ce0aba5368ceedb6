import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { AuditView } from '@/components/audit/audit-view';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  await requirePageUser('operator');
  return <AuditView />;
}
