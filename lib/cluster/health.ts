import { nodeRuntime } from '@/lib/node/runtime';

/** GET /api/health: the SPEC §4 contract, for load balancers and scripts. */
export function readHealth() {
  const runtime = nodeRuntime();
  const status = runtime.agent.status();
  return {
    nodeId: runtime.identity.id,
    name: runtime.identity.name,
    state: status.state,
    epoch: status.epoch,
    clusterId: status.clusterId,
    version: runtime.version,
  };
}
export type THealth = ReturnType<typeof readHealth>;
