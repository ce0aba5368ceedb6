'use client';

import Link from 'next/link';
import { PageHeader } from '@/components/shell/page-header';
import { RunsSection } from '@/components/workflow/runs-section';

/** Every run of the cluster, filterable: the same list on every node. */
export function RunsView() {
  return (
    <>
      <Link href="/workflows" className="text-sm font-medium text-indigo-700 hover:underline">
        ← Back to the workflows
      </Link>
      <div className="mt-3">
        <PageHeader
          title="Runs"
          description="Runs of every workflow on the cluster, newest first; the list follows the heartbeat."
        />
      </div>
      <RunsSection />
    </>
  );
}
