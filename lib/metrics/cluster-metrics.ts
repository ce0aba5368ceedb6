/**
 * The metrics read from the shared database at scrape time: what every node of the cluster
 * would report alike (members' states, epoch, slot changes, runs by status, configuration sync),
 * plus this node's own state from its agent. Written as a text block next to the registry's
 * process metrics, so a scrape is one read of the cluster status and two small queries.
 */
import client from 'prom-client';
import type { TDb } from '@/lib/db/client';
import { MEMBER_STATES } from '@/lib/cluster/node-state';
import { readClusterStatus } from '@/lib/cluster/status';
import { SYNC_STATES } from '@/lib/config/sync-state';
import { metrics } from '@/lib/metrics/registry';
import { nodeRuntime } from '@/lib/node/runtime';

const RUN_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const SLOT_EVENTS = ['BECAME_ACTIVE', 'BECAME_STANDBY', 'FENCED'] as const;

export async function renderMetrics(db: TDb): Promise<{ contentType: string; text: string }> {
  const registry = new client.Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers: [registry] });

  const [status, runs, slotEvents] = await Promise.all([
    readClusterStatus(db),
    db.$queryRaw<{ status: string; count: number }[]>`SELECT status, count(*)::int AS count FROM workflow_run GROUP BY status`,
    db.$queryRaw<{ kind: string; count: number }[]>`SELECT kind, count(*)::int AS count FROM cluster_event WHERE kind IN ('BECAME_ACTIVE', 'BECAME_STANDBY', 'FENCED') GROUP BY kind`,
  ]);
  const local = nodeRuntime().agent.status();

  const localState = gauge('orch_node_local_state', 'This node\'s own state as its agent sees it (1 for the current state)', ['state']);
  for (const state of ['ACTIVE', 'STANDBY', 'MAINTENANCE', 'STARTING', 'FENCED']) localState.set({ state }, local.state === state ? 1 : 0);
  gauge('orch_node_local_epoch', 'The epoch of the slot this node holds (0 when it holds none)').set(local.epoch);
  gauge('orch_database_reachable', 'Whether this node\'s agent reached the shared database at its last heartbeat').set(local.databaseReachable ? 1 : 0);

  gauge('orch_cluster_epoch', 'The cluster epoch: increases on every change of an active slot').set(status.epoch);
  gauge('orch_cluster_active_nodes_configured', 'How many nodes the cluster keeps active').set(status.settings.activeNodeCount);
  gauge('orch_cluster_heartbeat_interval_seconds', 'The heartbeat interval').set(status.settings.heartbeatIntervalSeconds);
  gauge('orch_cluster_failover_window_seconds', 'Interval × failover heartbeats').set(status.settings.heartbeatIntervalSeconds * status.settings.failoverHeartbeats);
  const memberState = gauge('orch_cluster_node_state', 'Each member\'s state as the cluster sees it (1 for the current state)', ['node', 'state']);
  const syncState = gauge('orch_config_sync_state', 'Each live member\'s configuration sync state (1 for the current state)', ['node', 'state']);
  for (const node of status.nodes) {
    for (const state of MEMBER_STATES) memberState.set({ node: node.name, state }, node.state === state ? 1 : 0);
    if (node.state === 'REMOVED') continue;
    for (const state of SYNC_STATES) syncState.set({ node: node.name, state }, node.syncState === state ? 1 : 0);
  }
  gauge('orch_config_converged', 'Every live node runs the reference configuration').set(status.converged ? 1 : 0);
  gauge('orch_config_reference_version', 'The pushed reference configuration version (0 before the first push)').set(status.reference?.version ?? 0);

  const slotChanges = new client.Counter({ name: 'orch_slot_changes_total', help: 'Active slot changes recorded in the cluster\'s events, by kind', labelNames: ['kind'], registers: [registry] });
  for (const kind of SLOT_EVENTS) slotChanges.inc({ kind }, slotEvents.find((row) => row.kind === kind)?.count ?? 0);
  const runsByStatus = gauge('orch_workflow_runs', 'Workflow runs in the database by status', ['status']);
  for (const runStatus of RUN_STATUSES) runsByStatus.set({ status: runStatus }, runs.find((row) => row.status === runStatus)?.count ?? 0);

  const merged = client.Registry.merge([metrics().registry, registry]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
