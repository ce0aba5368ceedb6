import { Fact } from '@/components/ui/fact';
import type { TRunDetail } from '@/lib/workflow/views';
import { EventTime } from '@/components/cluster/event-time';

/** Where a run is and who has it; "last executed by" still names the node after the run has finished and has no owner. */
export function RunFacts({ run }: { run: TRunDetail }) {
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
      <Fact label="Last executed by">{run.lastNodeId ? `${run.lastNodeName ?? '?'}, epoch ${run.lastEpoch ?? '?'}` : '—'}</Fact>
      <Fact label="Started by">{run.startedBy}</Fact>
      <Fact label="Started">
        <EventTime value={run.createdAt} />
      </Fact>
      <Fact label="Finished">{run.finishedAt ? <EventTime value={run.finishedAt} /> : '—'}</Fact>
    </dl>
  );
}
