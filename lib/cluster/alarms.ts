/**
 * Alarms the cluster page shows in its banner, derived from the status (one place, so the page
 * and the API agree). "This node cannot reach the database" is not here: without the database
 * there is no status, and the API answers 503 DATABASE_UNREACHABLE instead.
 */
import { isLiveState, type TMemberState } from '@/lib/cluster/node-state';

export const CLOCK_SKEW_WARNING_MS = 1_000;
/** A served certificate is warned about this many days before it expires. */
export const CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type TAlarm = { code: 'NO_ACTIVE' | 'TOO_FEW_ACTIVE' | 'CLOCK_SKEW' | 'CERTIFICATE_EXPIRING'; message: string; nodeId?: string };

type TAlarmInput = {
  activeNodeCount: number;
  nodes: {
    id: string;
    name: string;
    state: TMemberState;
    clockSkewMs: number | null;
    /** when the certificate the node serves expires (ISO), if it serves one */
    certificateNotAfter?: string | null;
  }[];
  /** database time, for certificate expiry */
  nowMs?: number;
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
    const live = isLiveState(node.state);
    if (live && node.clockSkewMs !== null && Math.abs(node.clockSkewMs) > CLOCK_SKEW_WARNING_MS) {
      alarms.push({
        code: 'CLOCK_SKEW',
        nodeId: node.id,
        message: `${node.name}'s clock is ${(node.clockSkewMs / 1000).toFixed(1)} s off the database clock (liveness does not depend on it; keep NTP running).`,
      });
    }
    const notAfter = node.certificateNotAfter ? Date.parse(node.certificateNotAfter) : Number.NaN;
    if (live && Number.isFinite(notAfter) && notAfter - (input.nowMs ?? Date.now()) < CERTIFICATE_WARNING_DAYS * DAY_MS) {
      const days = Math.floor((notAfter - (input.nowMs ?? Date.now())) / DAY_MS);
      alarms.push({
        code: 'CERTIFICATE_EXPIRING',
        nodeId: node.id,
        message:
          days < 0
            ? `${node.name}'s HTTPS certificate has expired: generate or import a new one on its Configuration page.`
            : `${node.name}'s HTTPS certificate expires in ${days} day${days === 1 ? '' : 's'}: generate or import a new one on its Configuration page.`,
      });
    }
  }
  return alarms;
}
