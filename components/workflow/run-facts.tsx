import type { ReactNode } from 'react';
import type { TRunDetail } from '@/lib/workflow/views';
import { EventTime } from '@/components/cluster/event-time';

/** Where a run is and who has it; "last executed by" still names the node after the run has finished and has no owner. */
export function RunFacts({ run }: { run: TRunDetail }) {
  const last = run.timeline.at(-1);
  return (
    <dl className="grid grid-cols-2 gap-x-8 gap-y-4 md:grid-cols-4">
      <Fact label="Workflow">
        {run.workflowName} <span className="text-gray-500">v{run.workflowVersion}</span>
      </Fact>
      <Fact label="Element">
        <span className="font-mono text-xs">{run.elementId}</span> <span className="text-gray-500">attempt {run.attempt}</span>
      </Fact>
      <Fact label="Owner node">{run.ownerNodeName ?? '—'}</Fact>
      <Fact label="Owner epoch">{run.ownerEpoch ?? '—'}</Fact>
      <Fact label="Last executed by">{last ? `${last.nodeName ?? '?'}, epoch ${last.epoch ?? '?'}` : '—'}</Fact>
      <Fact label="Started by">{run.startedBy}</Fact>
      <Fact label="Started">
        <EventTime value={run.createdAt} />
      </Fact>
      <Fact label="Finished">{run.finishedAt ? <EventTime value={run.finishedAt} /> : '—'}</Fact>
    </dl>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</dt>
      <dd className="mt-1 min-h-6 text-sm text-gray-900 tabular-nums">{children}</dd>
    </div>
  );
}
