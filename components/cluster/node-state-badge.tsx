import { Badge, type TTone } from '@/components/ui/badge';
import { formatCode } from '@/components/cluster/format';

const STATE_TONES: Record<string, TTone> = {
  ACTIVE: 'green',
  STANDBY: 'blue',
  STARTING: 'amber',
  LATE: 'amber',
  MAINTENANCE: 'gray',
  NOT_RESPONDING: 'red',
  FENCED: 'red',
  REMOVED: 'gray',
};

/** A node state in words and colour: green runs workflows, blue waits, amber needs a look, red is down, gray is out of play. */
export function NodeStateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONES[state] ?? 'red'}>{formatCode(state)}</Badge>;
}
