/**
 * Alarms the cluster page shows in its banner, derived from the status (one place, so the page
 * and the API agree). "This node cannot reach the database" is not here: without the database
 * there is no status, and the API answers 503 DATABASE_UNREACHABLE instead.
 */
import { isLiveState, type TMemberState } from '@/lib/cluster/node-state';
import { hostOfUrl, isLoopbackHost } from '@/lib/node/loopback';
import { certificateCovers } from '@/lib/tls/certificate-coverage';

export const CLOCK_SKEW_WARNING_MS = 1_000;
/** A served certificate is warned about this many days before it expires. */
export const CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type TAlarm = {
  code:
    | 'NO_ACTIVE'
    | 'TOO_FEW_ACTIVE'
    | 'CLOCK_SKEW'
    | 'CERTIFICATE_EXPIRING'
    | 'PLAIN_HTTP'
    | 'CERTIFICATE_HOST_NOT_COVERED'
    | 'CONFIG_UNREADABLE';
  message: string;
  nodeId?: string;
};

type TAlarmInput = {
  activeNodeCount: number;
  nodes: {
    id: string;
    name: string;
    /** the advertised URL */
    url?: string;
    state: TMemberState;
    clockSkewMs: number | null;
    /** when the certificate the node serves expires (ISO), if it serves one */
    certificateNotAfter?: string | null;
    /** the names and addresses (SANs) of the certificate the node serves, if it serves one */
    certificateSans?: string[] | null;
    /** why the node cannot read its own configuration (null or absent: it can) */
    configUnreadable?: string | null;
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
    alarms.push({
      code: 'TOO_FEW_ACTIVE',
      message: `${active} of ${input.activeNodeCount} active nodes: fewer than configured.`,
    });
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
    if (live && node.configUnreadable) {
      alarms.push({
        code: 'CONFIG_UNREADABLE',
        nodeId: node.id,
        message: `${node.name} cannot read its configuration (${node.configUnreadable}): what it last reported may be stale, and it would not start again. Fix the file in its data directory, or push a configuration.`,
      });
    }
    alarms.push(...hostAlarms(node, live));
  }
  return alarms;
}

/** A live node that other hosts reach over plain HTTP, or under a name its certificate does not carry. */
function hostAlarms(node: TAlarmInput['nodes'][number], live: boolean): TAlarm[] {
  const host = node.url ? hostOfUrl(node.url) : undefined;
  if (!live || !host || isLoopbackHost(host)) return [];
  if (node.url!.startsWith('http:')) {
    return [
      {
        code: 'PLAIN_HTTP',
        nodeId: node.id,
        message: `${node.name} serves plain HTTP to other hosts (${node.url}): passwords and sessions cross the network unencrypted. Generate a certificate on the Configuration page and push it with a reset: a node without --advertise then advertises https://.`,
      },
    ];
  }
  if (node.certificateSans && !certificateCovers(node.certificateSans, host)) {
    return [
      {
        code: 'CERTIFICATE_HOST_NOT_COVERED',
        nodeId: node.id,
        message: `${node.name} is advertised as ${host}, which its HTTPS certificate does not cover: regenerate the certificate on the Configuration page (it covers every member's name and address).`,
      },
    ];
  }
  return [];
}
