import type { Metadata } from 'next';
import { requirePageUser } from '@/lib/auth/page-user';
import { RunsView } from '@/components/workflow/runs-view';

export const metadata: Metadata = { title: 'Runs' };

export default async function RunsPage() {
  await requirePageUser();
  return <RunsView />;
}
