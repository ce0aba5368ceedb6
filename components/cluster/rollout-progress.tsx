import type { TRolloutView } from '@/lib/config/reference-view';
import type { TStepStatus } from '@/lib/config/plan-rollout';
import { Badge, type TTone } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { formatCode } from '@/components/cluster/format';

const STEP_TONES: Record<TStepStatus, TTone> = {
  WAITING: 'gray',
  RESTARTING: 'amber',
  IN_SYNC: 'green',
  SKIPPED: 'gray',
  FAILED: 'red',
};
const STATUS_TONES: Record<TRolloutView['status'], TTone> = { RUNNING: 'blue', COMPLETED: 'green', FAILED: 'red' };

/** "Push configuration and reset nodes", node by node: who restarts now, who is back in sync, what failed. */
export function RolloutProgress({ rollout }: { rollout: TRolloutView }) {
  const done = rollout.steps.filter((step) => step.status === 'IN_SYNC' || step.status === 'SKIPPED').length;
  return (
    <section aria-label="Rolling reset" className="space-y-3 rounded-md border border-gray-200 bg-gray-50 px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 className="text-sm font-semibold text-gray-900">
          Rolling reset #{rollout.id} to configuration version {rollout.version}
        </h3>
        <Badge tone={rollout.stalled ? 'amber' : STATUS_TONES[rollout.status]}>
          {rollout.stalled ? 'STALLED' : rollout.status}
        </Badge>
        <span className="text-xs text-gray-600">
          {done} of {rollout.steps.length} nodes done · started by {rollout.startedBy} <DateTime value={rollout.startedAt} />
          {rollout.finishedAt && (
            <>
              {' '}
              · finished <DateTime value={rollout.finishedAt} />
            </>
          )}
        </span>
      </div>
      {rollout.stalled && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Stalled: the node coordinating this reset stopped responding, so no further node is restarted. Push configuration and
          reset nodes again to start over.
        </p>
      )}
      {rollout.message && (
        <p className={`text-sm ${rollout.status === 'FAILED' ? 'text-red-800' : 'text-gray-700'}`}>{rollout.message}</p>
      )}
      <ol aria-label="Nodes in restart order" className="flex flex-wrap gap-2">
        {rollout.steps.map((step, index) => (
          <li
            key={step.nodeId}
            aria-label={`${step.name}: ${formatCode(step.status)}`}
            className="flex items-center gap-2 rounded-md border border-gray-200 bg-white px-2.5 py-1.5 text-sm"
          >
            <span className="text-xs text-gray-500 tabular-nums">{index + 1}.</span>
            <span className="font-medium text-gray-900">{step.name}</span>
            <Badge tone={STEP_TONES[step.status]}>{formatCode(step.status)}</Badge>
            {step.message && <span className="text-xs text-gray-600">{step.message}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
