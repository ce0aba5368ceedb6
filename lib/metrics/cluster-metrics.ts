/**
 * What /api/metrics serves, in two parts:
 * - this node's own series, from its agent and its process, always (even with the database down:
 *   state, epoch, database reachability, age of the last accepted heartbeat, build info);
 * - the cluster-wide series read from the shared database at scrape time (members' states,
 *   heartbeat ages, clock skew, certificate expiry, epoch, slot changes, runs, sync state), only
 *   when the database answers within a scrape-friendly time. `orch_cluster_metrics_up` says
 *   which case a scrape is.
 */
import client from 'prom-client';
import type { TDb } from '@/lib/db/client';
import { MEMBER_STATES } from '@/lib/cluster/node-state';
import { readClusterStatus } from '@/lib/cluster/status';
import { SYNC_STATES } from '@/lib/config/sync-state';
import { lastHeartbeatAgeSeconds, metrics } from '@/lib/metrics/registry';
import { nodeRuntime } from '@/lib/node/runtime';

const RUN_STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const SLOT_EVENTS = ['BECAME_ACTIVE', 'BECAME_STANDBY', 'FENCED'] as const;
const LOCAL_STATES = ['ACTIVE', 'STANDBY', 'MAINTENANCE', 'STARTING', 'FENCED'] as const;
/** Prometheus times a scrape out after 10 s by default: the database part gives up well before */
const CLUSTER_READ_TIMEOUT_MS = 3_000;

type TGauge = (name: string, help: string, labelNames?: string[]) => client.Gauge;

export async function renderMetrics(db: TDb): Promise<{ contentType: string; text: string }> {
  const registry = new client.Registry();
  const gauge: TGauge = (name, help, labelNames = []) => new client.Gauge({ name, help, labelNames, registers: [registry] });

  writeLocalSeries(gauge);
  const clusterUp = gauge('orch_cluster_metrics_up', 'Whether this scrape read the cluster-wide series from the shared database');
  // no point waiting for a database the agent already knows to be away
  const reachable = nodeRuntime().agent.status().databaseReachable;
  const cluster = reachable ? await withTimeout(readClusterFacts(db), CLUSTER_READ_TIMEOUT_MS).catch(() => undefined) : undefined;
  clusterUp.set(cluster ? 1 : 0);
  if (cluster) writeClusterSeries(gauge, registry, cluster);

  const merged = client.Registry.merge([metrics().registry, registry]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}

function writeLocalSeries(gauge: TGauge): void {
  const runtime = nodeRuntime();
  const local = runtime.agent.status();
  const localState = gauge('orch_node_local_state', "This node's own state as its agent sees it (1 for the current state)", [
    'state',
  ]);
  for (const state of LOCAL_STATES) localState.set({ state }, local.state === state ? 1 : 0);
  gauge('orch_node_local_epoch', 'The epoch of the slot this node holds (0 when it holds none)').set(local.epoch);
  gauge('orch_database_reachable', "Whether this node's agent reached the shared database at its last heartbeat").set(
    local.databaseReachable ? 1 : 0,
  );
  gauge(
    'orch_node_last_heartbeat_age_seconds',
    "Seconds since this node's last accepted heartbeat (monotonic clock; since process start before the first)",
  ).set(round3(lastHeartbeatAgeSeconds()));
  if (local.clockSkewMs !== null)
    gauge('orch_node_local_clock_skew_seconds', "This node's clock minus the database clock, at its last heartbeat").set(
      local.clockSkewMs / 1000,
    );
  gauge('orch_build_info', 'The running build: always 1, with the version and node as labels', [
    'version',
    'node',
    'node_id',
  ]).set({ version: runtime.version, node: runtime.identity.name, node_id: runtime.identity.id }, 1);
  gauge('orch_node_start_time_seconds', "When this node's server process started (Unix time)").set(
    Math.floor(runtime.startedAt.getTime() / 1000),
  );
}

type TClusterFacts = Awaited<ReturnType<typeof readClusterFacts>>;

async function readClusterFacts(db: TDb) {
  const [status, runs, events, certificates] = await Promise.all([
    readClusterStatus(db),
    db.$queryRaw<{ status: string; count: number }[]>`SELECT status, count(*)::int AS count FROM workflow_run GROUP BY status`,
    db.$queryRaw<{ kind: string; count: number }[]>`
      SELECT kind, count(*)::int AS count FROM cluster_event WHERE kind IN ('BECAME_ACTIVE', 'BECAME_STANDBY', 'FENCED', 'ROLLOUT_FAILED') GROUP BY kind`,
    db.$queryRaw<{ name: string; not_after: string | null }[]>`
      SELECT name, active_config -> 'certificate' ->> 'notAfter' AS not_after FROM cluster_node WHERE removed_at IS NULL`,
  ]);
  return { status, runs, events, certificates };
}

function writeClusterSeries(
  gauge: TGauge,
  registry: client.Registry,
  { status, runs, events, certificates }: TClusterFacts,
): void {
  gauge('orch_cluster_epoch', 'The cluster epoch: increases on every change of an active slot').set(status.epoch);
  gauge('orch_cluster_active_nodes_configured', 'How many nodes the cluster keeps active').set(status.settings.activeNodeCount);
  gauge('orch_cluster_active_nodes', 'How many members hold a valid active slot now').set(
    status.nodes.filter((node) => node.state === 'ACTIVE').length,
  );
  gauge('orch_cluster_heartbeat_interval_seconds', 'The heartbeat interval').set(status.settings.heartbeatIntervalSeconds);
  gauge('orch_cluster_failover_window_seconds', 'Interval × failover heartbeats').set(
    status.settings.heartbeatIntervalSeconds * status.settings.failoverHeartbeats,
  );
  const memberState = gauge('orch_cluster_node_state', "Each member's state as the cluster sees it (1 for the current state)", [
    'node',
    'state',
  ]);
  const syncState = gauge('orch_config_sync_state', "Each live member's configuration sync state (1 for the current state)", [
    'node',
    'state',
  ]);
  const heartbeatAge = gauge(
    'orch_cluster_node_heartbeat_age_seconds',
    "Seconds since each member's last heartbeat, on the database clock",
    ['node'],
  );
  const clockSkew = gauge(
    'orch_cluster_node_clock_skew_seconds',
    "Each member's clock minus the database clock, at its last heartbeat",
    ['node'],
  );
  for (const node of status.nodes) {
    for (const state of MEMBER_STATES) memberState.set({ node: node.name, state }, node.state === state ? 1 : 0);
    if (node.state === 'REMOVED') continue;
    heartbeatAge.set({ node: node.name }, node.lastHeartbeatAgeMs / 1000);
    if (node.clockSkewMs !== null) clockSkew.set({ node: node.name }, node.clockSkewMs / 1000);
    for (const state of SYNC_STATES) syncState.set({ node: node.name, state }, node.syncState === state ? 1 : 0);
  }
  const certificateExpiry = gauge(
    'orch_node_certificate_expiry_timestamp_seconds',
    'When the HTTPS certificate each member serves expires (Unix time)',
    ['node'],
  );
  for (const row of certificates) {
    const notAfter = row.not_after ? Date.parse(row.not_after) : Number.NaN;
    if (Number.isFinite(notAfter)) certificateExpiry.set({ node: row.name }, Math.floor(notAfter / 1000));
  }
  gauge('orch_config_converged', 'Every live node runs the reference configuration').set(status.converged ? 1 : 0);
  gauge('orch_config_reference_version', 'The pushed reference configuration version (0 before the first push)').set(
    status.reference?.version ?? 0,
  );
  const count = (kind: string) => events.find((row) => row.kind === kind)?.count ?? 0;
  const slotChanges = new client.Counter({
    name: 'orch_slot_changes_total',
    help: "Active slot changes recorded in the cluster's events, by kind",
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of SLOT_EVENTS) slotChanges.inc({ kind }, count(kind));
  new client.Counter({
    name: 'orch_rollout_failures_total',
    help: "Rolling resets that failed, as recorded in the cluster's events",
    registers: [registry],
  }).inc(count('ROLLOUT_FAILED'));
  const runsByStatus = gauge('orch_workflow_runs', 'Workflow runs in the database by status', ['status']);
  for (const runStatus of RUN_STATUSES)
    runsByStatus.set({ status: runStatus }, runs.find((row) => row.status === runStatus)?.count ?? 0);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
