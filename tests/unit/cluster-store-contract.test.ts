/** The store contract on the in-memory store of the election tests, on its fake clock: no sleeping. */
import { describeClusterStoreContract } from '../helpers/cluster-store-contract';
import { MemoryStore, Timeline } from '../helpers/fake-cluster';

const STEP_MS = 10;

describeClusterStoreContract('MemoryStore', async (settings) => {
  const timeline = new Timeline();
  const store = new MemoryStore(timeline);
  const windowMs = settings.intervalMs * settings.failoverHeartbeats;
  Object.assign(store.settings, settings, { previousIntervalMs: settings.intervalMs, previousWindowMs: windowMs });
  const member = (nodeId: string) => {
    const node = store.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  };
  return {
    store,
    async eventually(attempt, withinMs) {
      const deadline = timeline.now + withinMs;
      for (;;) {
        const value = await attempt();
        if (value !== null) return value;
        if (timeline.now >= deadline) throw new Error(`nothing within ${withinMs} ms of store time`);
        await timeline.advance(STEP_MS);
      }
    },
    async setMaintenance(nodeId, enabled) {
      member(nodeId).maintenance = enabled;
    },
    async remove(nodeId) {
      member(nodeId).removed = true;
    },
    async requestHandover(nodeId) {
      store.handOver(nodeId, 0);
    },
    dispose: () => store.close(),
  };
});
