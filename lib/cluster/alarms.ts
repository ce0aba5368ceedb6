/**
 * Alarms the cluster page shows in its banner, derived from the status (one place, so the page
 * and the API agree). "This node cannot reach the database" is not here: without the database
 * there is no status, and the API answers 503 DATABASE_UNREACHABLE instead.
 */
import type { TMemberState } from '@/lib/cluster/node-state';

export const CLOCK_SKEW_WARNING_MS = 1_000;

export type TAlarm = { code: 'NO_ACTIVE' | 'TOO_FEW_ACTIVE' | 'CLOCK_SKEW'; message: string; nodeId?: string };

type TAlarmInput = {
  activeNodeCount: number;
  nodes: { id: string; name: string; state: TMemberState; clockSkewMs: number | null }[];
};

export function deriveAlarms(input: TAlarmInput): TAlarm[] {
  const alarms: TAlarm[] = [];
  const active = input.nodes.filter((node) => node.state === 'ACTIVE').length;
  if (active === 0) {
    alarms.push({ code: 'NO_ACTIVE', message: 'No node is active: no workflow runs anywhere in the cluster.' });
  } else if (active < input.activeNodeCount) {
    alarms.push({ code: 'TOO_FEW_ACTIVE', message: `${active} of ${input.activeNodeCount} active nodes: fewer than configured.` });
  }
  for (const node of input.nodes) {
    const live = node.state !== 'REMOVED' && node.state !== 'NOT_RESPONDING';
    if (live && node.clockSkewMs !== null && Math.abs(node.clockSkewMs) > CLOCK_SKEW_WARNING_MS) {
      alarms.push({
        code: 'CLOCK_SKEW',
        nodeId: node.id,
        message: `${node.name}'s clock is ${(node.clockSkewMs / 1000).toFixed(1)} s off the database clock (liveness does not depend on it; keep NTP running).`,
      });
    }
  }
  return alarms;
}
