/**
 * This process's Prometheus metrics (prom-client). One registry per process, kept on globalThis:
 * the agent and the workflow runner (loaded by the server entry) observe into the same
 * histograms that the bundled /api/metrics route serializes.
 */
import client from 'prom-client';

export type TMetrics = {
  registry: client.Registry;
  heartbeatSeconds: client.Histogram;
  checkpointSeconds: client.Histogram;
  /** performance.now() at this node's last accepted heartbeat (undefined before the first) */
  lastHeartbeatAt?: number;
};

const KEY = Symbol.for('orch.metrics');
type TGlobal = typeof globalThis & { [KEY]?: TMetrics };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function metrics(): TMetrics {
  const store = globalThis as TGlobal;
  if (!store[KEY]) {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'orch_process_' });
    // prom-client also sums its by-type gauges into three gauges named "…_total", a suffix Prometheus
    // reserves for counters (`promtool check metrics` rejects them); the by-type gauges stay
    for (const kind of ['handles', 'requests', 'resources'])
      registry.removeSingleMetric(`orch_process_nodejs_active_${kind}_total`);
    store[KEY] = {
      registry,
      heartbeatSeconds: new client.Histogram({
        name: 'orch_heartbeat_duration_seconds',
        help: "Round trip of this node's heartbeat statement to the shared database",
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
      checkpointSeconds: new client.Histogram({
        name: 'orch_checkpoint_duration_seconds',
        help: "Round trip of a workflow checkpoint statement (the checkpoints of the runs that fell due together, under the owner's epoch)",
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
    };
  }
  return store[KEY];
}

/** Called by the agent after each accepted heartbeat: its round trip, and when it happened (for the age series). */
export function observeHeartbeat(roundTripMs: number): void {
  const store = metrics();
  store.heartbeatSeconds.observe(roundTripMs / 1000);
  store.lastHeartbeatAt = performance.now();
}

/** Seconds since this node's last accepted heartbeat, on the monotonic clock; since the process started before the first. */
export function lastHeartbeatAgeSeconds(): number {
  const at = metrics().lastHeartbeatAt ?? 0;
  return (performance.now() - at) / 1000;
}
