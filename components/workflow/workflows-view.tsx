'use client';

import Link from 'next/link';
import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import { useWorkflows } from '@/lib/swr/use-workflows';
import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/shell/page-header';
import { ImportWorkflowForm } from '@/components/workflow/import-workflow-form';
import { RunsSection } from '@/components/workflow/runs-section';
import { SchedulesSection } from '@/components/workflow/schedules-section';
import { WorkflowTable } from '@/components/workflow/workflow-table';

/** Workflow definitions (start, export), their schedules, the cluster's runs, and import. Viewers read; operators and administrators act. */
export function WorkflowsView({ user }: { user: TUser }) {
  const { data: workflows, error, mutate } = useWorkflows();
  const canOperate = can(user, 'runWorkflows');

  return (
    <>
      <PageHeader
        title="Workflows"
        description={
          <>
            Runs are executed by the active nodes and survive the loss of one: another active node resumes them from their last
            checkpoint.{' '}
            <Link href="/workflows/runs" className="font-medium text-indigo-700 hover:underline">
              All runs
            </Link>
          </>
        }
      />
      <div className="space-y-6">
        {error && <Alert title="The workflows could not be read">{error.message}</Alert>}
        <section aria-labelledby="workflows-heading" className="space-y-3">
          <h2 id="workflows-heading" className="text-base font-semibold text-gray-900">
            Definitions
          </h2>
          <WorkflowTable workflows={workflows} canStart={canOperate} />
        </section>
        <SchedulesSection canManage={can(user, 'manageSchedules')} />
        <RunsSection />
        {canOperate && <ImportWorkflowForm onImported={() => mutate()} />}
      </div>
    </>
  );
}
