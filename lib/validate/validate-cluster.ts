/**
 * Validate configuration: the cluster's set-up checked as a whole from this node. Each check
 * passes, warns or fails, with the reason and what to do. Facts come from where they already
 * live (the database test, the cluster status and its alarms, the sync state, the heartbeat
 * histogram); reachability and free disk are measured here (another member's disk as it reports it).
 */
import type { TDb } from '@/lib/db/client';
import { readClusterStatus, type TClusterStatus } from '@/lib/cluster/status';
import type { TRole } from '@/lib/auth/roles';
import { serverEnv } from '@/lib/env';
import { nodeRuntime } from '@/lib/node/runtime';
import { APP_VERSION } from '@/lib/node/version';
import { CLOCK_SKEW_WARNING_MS } from '@/lib/cluster/alarms';
import { isLiveState } from '@/lib/cluster/node-state';
import { testDatabase, type TCheck } from '@/lib/database/test-database';
import { formatBytes } from '@/lib/database/format-bytes';
import { readHeartbeatLatency, type THeartbeatLatency } from '@/lib/database/heartbeat-latency';
import { getFromMember } from '@/lib/logs/member-request';
import { dataDirDisk, readMemberLog, type TMemberDisk } from '@/lib/logs/serve-system-log';

export type TValidationStatus = 'pass' | 'warn' | 'fail';
export type TValidationCheck = {
  name: string;
  status: TValidationStatus;
  detail: string;
  action: string | null;
  nodeId?: string;
};
export type TValidationReport = { ok: boolean; checkedAt: string; checkedFrom: string; checks: TValidationCheck[] };

export type TValidationInput = {
  db: TDb;
  status: TClusterStatus;
  databaseUrl: string;
  dataDir: string;
  /** another member's free disk, as it reports it (undefined: it does not) */
  memberDisk(nodeId: string): Promise<TMemberDisk | undefined>;
  appVersion: string;
  heartbeat: THeartbeatLatency;
};

/** a clock this far off is more than an annoyance: logs and certificates disagree with the rest */
const CLOCK_SKEW_FAIL_MS = 30_000;
/** below this, a data directory fills with the next plugin, log or database growth */
const DISK_WARN_BYTES = 1024 ** 3;
const DISK_FAIL_BYTES = 200 * 1024 ** 2;
const REACH_TIMEOUT_MS = 3_000;

const check = (
  name: string,
  status: TValidationStatus,
  detail: string,
  action: string | null = null,
  nodeId?: string,
): TValidationCheck => ({
  name,
  status,
  detail,
  action,
  ...(nodeId ? { nodeId } : {}),
});

export async function validateCluster(input: TValidationInput): Promise<TValidationReport> {
  const live = input.status.nodes.filter((node) => isLiveState(node.state));
  const checks = [
    ...(await databaseChecks(input.databaseUrl, live.length)),
    ...clockChecks(live),
    ...certificateChecks(input.status),
    ...(await Promise.all(live.map((node) => reachability(node, input.dataDir)))),
    versionCheck(live, input.appVersion),
    convergenceCheck(input.status, live),
    failoverCheck(input.status, input.heartbeat),
    ...(await Promise.all(live.map((node) => diskCheck(node, input)))),
  ];
  const self = input.status.nodes.find((node) => node.id === input.status.local.id);
  return {
    ok: checks.every((item) => item.status !== 'fail'),
    checkedAt: new Date().toISOString(),
    checkedFrom: self?.name ?? input.status.local.id,
    checks,
  };
}

const DATABASE_CHECKS: { from: TCheck['name']; name: string; action: string }[] = [
  { from: 'reachable', name: 'database reachable', action: 'check the connection string and that the database server runs' },
  {
    from: 'writable',
    name: 'database writable',
    action: 'point the nodes at the primary (a multi-host URL with target_session_attrs=read-write)',
  },
  { from: 'version', name: 'database version', action: 'upgrade PostgreSQL to 14 or newer' },
  {
    from: 'create-tables',
    name: 'database privileges',
    action: 'grant the user CREATE on the database and its schema (it runs the migrations)',
  },
  {
    from: 'max-connections',
    name: 'database max_connections',
    action: 'raise max_connections in postgresql.conf and restart PostgreSQL',
  },
];

/** The same checks as "Test a connection string" (lib/database/test-database.ts), on the one in use. */
async function databaseChecks(databaseUrl: string, liveNodes: number): Promise<TValidationCheck[]> {
  const result = await testDatabase({ url: databaseUrl, nodeCount: Math.max(1, liveNodes) });
  return DATABASE_CHECKS.map(({ from, name, action }) => {
    const found = result.checks.find((item) => item.name === from);
    if (!found) return check(name, 'warn', 'not checked', action);
    return check(name, found.ok ? 'pass' : 'fail', found.detail, found.ok ? null : action);
  });
}

function clockChecks(live: TClusterStatus['nodes']): TValidationCheck[] {
  return live.map((node) => {
    const name = `clock of ${node.name}`;
    if (node.clockSkewMs === null) return check(name, 'warn', 'not measured yet', 'wait for a few heartbeats', node.id);
    const skew = `${(node.clockSkewMs / 1000).toFixed(2)} s off the database clock`;
    const action = 'run NTP (chrony or systemd-timesyncd) on the host; liveness does not depend on it, logs and certificates do';
    if (Math.abs(node.clockSkewMs) > CLOCK_SKEW_FAIL_MS) return check(name, 'fail', skew, action, node.id);
    if (Math.abs(node.clockSkewMs) > CLOCK_SKEW_WARNING_MS) return check(name, 'warn', skew, action, node.id);
    return check(name, 'pass', skew, null, node.id);
  });
}

/** From the status's alarms (lib/cluster/alarms.ts), so the page banner and this check agree. */
function certificateChecks(status: TClusterStatus): TValidationCheck[] {
  const live = status.nodes.filter((node) => isLiveState(node.state));
  return live.map((node) => {
    const name = `certificate covers ${node.name}`;
    const notCovered = status.alarms.find((alarm) => alarm.code === 'CERTIFICATE_HOST_NOT_COVERED' && alarm.nodeId === node.id);
    if (notCovered)
      return check(
        name,
        'fail',
        notCovered.message,
        "generate the certificate again on the Configuration page (it covers every member's name and address), push and reset",
        node.id,
      );
    const plain = status.alarms.find((alarm) => alarm.code === 'PLAIN_HTTP' && alarm.nodeId === node.id);
    if (plain)
      return check(
        name,
        'warn',
        plain.message,
        'generate a certificate and push it with a reset (without --advertise, a node then advertises https://)',
        node.id,
      );
    return check(name, 'pass', `${node.url}: covered, or only reached on this host's loopback`, null, node.id);
  });
}

async function reachability(node: TClusterStatus['nodes'][number], dataDir: string): Promise<TValidationCheck> {
  const name = `${node.name} reachable at ${node.url}`;
  const action =
    'check the advertised address (--advertise), DNS, firewalls and that the node listens beyond loopback (--listen)';
  try {
    const answer = await getFromMember(
      new URL('/api/health', node.url),
      { accept: 'application/json' },
      { dataDir, timeoutMs: REACH_TIMEOUT_MS, maxBytes: 64 * 1024 },
    );
    const health = JSON.parse(answer.text) as { nodeId?: unknown };
    if (health.nodeId !== node.id)
      return check(name, 'fail', `another node answers there (${String(health.nodeId)})`, action, node.id);
    return check(name, 'pass', `answered ${answer.status}`, null, node.id);
  } catch (error) {
    const cause =
      (error as { cause?: { code?: string } }).cause?.code ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return check(name, 'fail', `not reachable from this node (${cause})`, action, node.id);
  }
}

function versionCheck(live: TClusterStatus['nodes'], appVersion: string): TValidationCheck {
  const others = live.filter((node) => node.version !== appVersion);
  if (others.length === 0) return check('same product version', 'pass', `every live member runs ${appVersion}`);
  return check(
    'same product version',
    'fail',
    others.map((node) => `${node.name} runs ${node.version}`).join('; ') + ` (this node: ${appVersion})`,
    'upgrade every node to the same version, one at a time',
  );
}

function convergenceCheck(status: TClusterStatus, live: TClusterStatus['nodes']): TValidationCheck {
  if (status.converged)
    return check(
      'configuration converged',
      'pass',
      status.reference
        ? `every live member runs reference version ${status.reference.version}`
        : 'every live member runs the same configuration',
    );
  const apart = live
    .filter((node) => node.syncState !== 'IN_SYNC')
    .map((node) => `${node.name}: ${node.syncState.replaceAll('_', ' ')}`);
  return check(
    'configuration converged',
    'warn',
    apart.join('; '),
    'push the configuration (LOCAL CHANGES) or restart the nodes (PENDING RESTART): "Push configuration and reset nodes"',
  );
}

function failoverCheck(status: TClusterStatus, heartbeat: THeartbeatLatency): TValidationCheck {
  const windowMs = status.settings.failoverSeconds * 1000;
  const name = 'failover window vs heartbeat latency';
  if (heartbeat.p99Ms === null)
    return check(
      name,
      'warn',
      `failover window ${status.settings.failoverSeconds} s; no heartbeat measured on this node yet`,
      'run the check again in a minute',
    );
  const detail = `failover window ${status.settings.failoverSeconds} s, heartbeat p99 ${heartbeat.p99Ms} ms over ${heartbeat.samples} heartbeats`;
  if (windowMs < 3 * heartbeat.p99Ms)
    return check(
      name,
      'fail',
      `${detail}: less than 3 × p99`,
      'raise the heartbeat interval or the failover heartbeats (cluster settings), or make the database answer faster',
    );
  return check(name, 'pass', `${detail} (at least 3 × p99)`);
}

/**
 * Free disk of each live member's data directory: this node's measured here, another member's as
 * it reports it with its system log (asked with a peer token, like the cross-node Logs page).
 */
async function diskCheck(node: TClusterStatus['nodes'][number], input: TValidationInput): Promise<TValidationCheck> {
  const name = `free disk of ${node.name}'s data directory`;
  let disk: TMemberDisk | undefined;
  try {
    disk = node.id === input.status.local.id ? await dataDirDisk(input.dataDir) : await input.memberDisk(node.id);
  } catch (error) {
    return check(
      name,
      'warn',
      `not measured: ${error instanceof Error ? error.message : String(error)}`,
      'run the validation on that node',
      node.id,
    );
  }
  if (!disk)
    return check(name, 'warn', 'not measured: the member does not report it (an older version)', 'upgrade the member', node.id);
  const detail = `${formatBytes(disk.freeBytes)} free in ${disk.dataDir}`;
  const action = 'free space or grow the file system: the system log, plugins and a built-in database live there';
  if (disk.freeBytes < DISK_FAIL_BYTES) return check(name, 'fail', detail, action, node.id);
  if (disk.freeBytes < DISK_WARN_BYTES) return check(name, 'warn', detail, action, node.id);
  return check(name, 'pass', detail, null, node.id);
}

/** The validation as the API runs it: from this node, on its database and data directory. */
export async function validateFromThisNode(db: TDb, viewer: TRole): Promise<TValidationReport> {
  return validateCluster({
    db,
    status: await readClusterStatus(db, viewer),
    databaseUrl: serverEnv().DATABASE_URL,
    dataDir: nodeRuntime().dataDir,
    memberDisk: async (nodeId) => (await readMemberLog(nodeRuntime().identity.id, nodeId, 1)).disk,
    appVersion: APP_VERSION,
    heartbeat: await readHeartbeatLatency(),
  });
}
