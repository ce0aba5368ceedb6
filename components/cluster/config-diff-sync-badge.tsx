import type { TSyncState } from '@/lib/config/sync-state';
import { Badge, type TTone } from '@/components/ui/badge';
import { formatCode } from '@/components/cluster/format';

const SYNC_TONES: Record<TSyncState, TTone> = {
  IN_SYNC: 'green',
  PENDING_RESTART: 'amber',
  OUT_OF_SYNC: 'red',
  LOCAL_CHANGES: 'blue',
  UNREADABLE: 'red',
};

/** A configuration sync state in words and colour: green in sync, amber waits for a restart, red behind or unreadable, blue ahead (not pushed). */
export function SyncStateBadge({ state }: { state: TSyncState }) {
  return <Badge tone={SYNC_TONES[state]}>{formatCode(state)}</Badge>;
}
