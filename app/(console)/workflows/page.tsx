import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { WorkflowsView } from '@/components/workflow/workflows-view';

export const metadata: Metadata = { title: 'Workflows' };

export default async function WorkflowsPage() {
  const user = await requirePageUser();
  return <WorkflowsView user={user} />;
}
