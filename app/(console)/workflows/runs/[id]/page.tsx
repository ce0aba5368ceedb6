import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/page-user';
import { ZRunId } from '@/lib/workflow/schemas';
import { RunDetailView } from '@/components/workflow/run-detail-view';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const parsed = ZRunId.safeParse(await params);
  if (!parsed.success) notFound();
  return <RunDetailView id={parsed.data.id} user={user} />;
}
