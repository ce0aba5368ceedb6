'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import { refreshMsFor } from '@/lib/swr/polling';
import { useRun, useRunLogs } from '@/lib/swr/use-run';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { CancelRunButton } from '@/components/workflow/cancel-run-button';
import { isFinished, shortId } from '@/components/workflow/format';
import { ResumeRunForm } from '@/components/workflow/resume-run-form';
import { RunFacts } from '@/components/workflow/run-facts';
import { RunLogList } from '@/components/workflow/run-log-list';
import { RunStatusBadge } from '@/components/workflow/run-status-badge';
import { RunTimeline } from '@/components/workflow/run-timeline';
import { resumptionsOf } from '@/components/workflow/timeline-rows';
import { VariableList } from '@/components/workflow/variable-list';

/** One run, followed until it finishes: where it is, who executed each element under which epoch, its variables and server log. */
export function RunDetailView({ id, user }: { id: string; user: TUser }) {
  const { data: run, error, mutate } = useRun(id);
  const finished = isFinished(run?.status);
  const { data: logs, error: logsError, mutate: mutateLogs } = useRunLogs(id, finished ? 0 : refreshMsFor(undefined));
  // the last entries may have been written after the last read: read once more when the run ends
  useEffect(() => {
    if (finished) void mutateLogs();
  }, [finished, mutateLogs]);
  const resumptions = run ? resumptionsOf(run.events) : [];

  return (
    <>
      <Link href="/workflows" className="text-sm font-medium text-indigo-700 hover:underline">
        ← Back to the workflows
      </Link>
      <header className="mt-3 mb-6 flex items-start justify-between gap-4">
        <div>
          <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold text-gray-900">
            {run ? `${run.workflowName} · run ${shortId(run.id)}` : `Run ${shortId(id)}`}
            {run && <RunStatusBadge status={run.status} />}
          </h1>
          <p className="mt-1 font-mono text-sm break-all text-gray-600">{id}</p>
        </div>
        {run && !finished && can(user, 'runWorkflows') && <CancelRunButton id={id} onCancelled={() => mutate()} />}
      </header>
      <div className="space-y-6">
        {error && <Alert title="The run could not be read">{error.message}</Alert>}
        {run?.error && (
          <Alert title={`The run ${run.status === 'FAILED' || run.status === 'WAITING' ? 'failed' : 'reported an error'}`}>
            {run.error}
          </Alert>
        )}
        {run?.status === 'WAITING' && can(user, 'runWorkflows') && (
          <ResumeRunForm id={id} elementId={run.elementId} onResumed={() => mutate()} />
        )}
        {resumptions.length > 0 && (
          <section
            aria-label="Resumptions"
            className="rounded-md border border-amber-300 bg-amber-50 px-3.5 py-2.5 text-sm text-amber-950"
          >
            <p className="font-semibold">Taken over after its node was lost</p>
            <ul className="mt-1 list-inside list-disc">
              {resumptions.map((event) => (
                <li key={event.id}>{event.message}</li>
              ))}
            </ul>
          </section>
        )}
        <Card title="Facts">{run ? <RunFacts run={run} /> : <p className="min-h-24 text-sm text-gray-500">Loading…</p>}</Card>
        <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
          <Card title="Inputs">
            {run ? <VariableList label="Inputs" values={run.inputs} /> : <p className="text-sm text-gray-500">Loading…</p>}
          </Card>
          <Card title="Variables" description="As of the last checkpoint.">
            {run ? <VariableList label="Variables" values={run.variables} /> : <p className="text-sm text-gray-500">Loading…</p>}
          </Card>
        </div>
        <Card
          title="Timeline"
          description="Each element the run executed, newest first, with the node and epoch that executed it. An element interrupted by the loss of its node runs again as attempt 2 on the node that takes over."
        >
          {run && run.earlierEvents > 0 && (
            <p className="mb-2 text-sm text-gray-600">
              The latest {run.events.length.toLocaleString('en')} events are shown; {run.earlierEvents.toLocaleString('en')}{' '}
              earlier ones are not.
            </p>
          )}
          {run ? (
            <RunTimeline events={run.events} timeline={run.timeline} />
          ) : (
            <p className="min-h-24 text-sm text-gray-500">Loading…</p>
          )}
        </Card>
        <Card
          title="Server log"
          description="Stored in the shared database: the same on every node. Newest first. Each node's system log is on its own Logs page."
        >
          {logsError && <p className="mb-2 text-sm text-red-700">The server log could not be read: {logsError.message}</p>}
          <RunLogList entries={logs} />
        </Card>
      </div>
    </>
  );
}
