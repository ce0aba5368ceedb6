import { Badge, type TTone } from '@/components/ui/badge';

const LEVEL_TONES: Record<string, TTone> = { debug: 'gray', info: 'blue', warn: 'amber', error: 'red' };

/** A log entry's level: gray debug, blue info, amber warn, red error. */
export function LogLevelBadge({ level }: { level: string }) {
  return <Badge tone={LEVEL_TONES[level] ?? 'gray'}>{level}</Badge>;
}
