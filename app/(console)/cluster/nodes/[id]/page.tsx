import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/page-user';
import { isAppError } from '@/lib/api/app-error';
import { ZNodeParams } from '@/lib/cluster/node-params';
import { readNodeDetail } from '@/lib/cluster/status';
import { db } from '@/lib/db/client';
import { NodeDetailView } from '@/components/cluster/node-detail-view';

export const metadata: Metadata = { title: 'Node' };

export default async function NodePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const parsed = ZNodeParams.safeParse(await params);
  if (!parsed.success) notFound();
  const initial = await readNodeDetail(db(), parsed.data.id).catch((error: unknown) => {
    if (isAppError(error, 'NOT_FOUND')) notFound();
    return undefined; // the client reads it again and shows why it failed
  });
  return <NodeDetailView id={parsed.data.id} initial={initial} />;
}
