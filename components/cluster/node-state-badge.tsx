import { Badge, type TTone } from '@/components/ui/badge';

const STATE_TONES: Record<string, TTone> = {
  ACTIVE: 'green',
  STANDBY: 'blue',
  STARTING: 'amber',
  LATE: 'amber',
  MAINTENANCE: 'amber',
  NOT_RESPONDING: 'red',
  FENCED: 'red',
  REMOVED: 'gray',
};

/** A node state in words and colour: green runs workflows, blue waits, amber needs a look, red is down. */
export function NodeStateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONES[state] ?? 'red'}>{state.replaceAll('_', ' ')}</Badge>;
}
