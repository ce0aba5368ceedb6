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
};

const KEY = Symbol.for('orch.metrics');
type TGlobal = typeof globalThis & { [KEY]?: TMetrics };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function metrics(): TMetrics {
  const store = globalThis as TGlobal;
  if (!store[KEY]) {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'orch_process_' });
    store[KEY] = {
      registry,
      heartbeatSeconds: new client.Histogram({
        name: 'orch_heartbeat_duration_seconds',
        help: 'Round trip of this node\'s heartbeat statement to the shared database',
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
      checkpointSeconds: new client.Histogram({
        name: 'orch_checkpoint_duration_seconds',
        help: 'Round trip of a workflow run checkpoint (one statement, under the owner\'s epoch)',
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
    };
  }
  return store[KEY];
}
