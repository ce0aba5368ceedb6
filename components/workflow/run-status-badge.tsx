import type { TRunStatus } from '@/lib/workflow/schemas';
import { Badge, type TTone } from '@/components/ui/badge';

const STATUS_TONES: Record<TRunStatus, TTone> = {
  COMPLETED: 'green',
  RUNNING: 'blue',
  FAILED: 'red',
  CANCELLED: 'gray',
  PENDING: 'amber',
  WAITING: 'red',
};

/** A run's status in colour: green done, blue running, amber waiting for an active node, red failed (or waiting for an operator after a failure), gray cancelled. */
export function RunStatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status as TRunStatus] ?? 'amber'}>{status}</Badge>;
}
