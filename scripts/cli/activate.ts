/** `orchctl activate NODE`: hand an active slot to a standby node. */
import { callApi } from './api-client';
import { resolveNode, type TNodeCommandOptions } from './cluster-view';

export async function activateNode(options: TNodeCommandOptions, node: string): Promise<void> {
  const member = await resolveNode(options, node);
  const { slot } = await callApi<{ slot: number }>(options.url, `/api/cluster/nodes/${member.id}/activate`, {
    ...options,
    method: 'POST',
  });
  // the current holder gives the slot up at its next heartbeat; only then does the node take it
  console.log(`${member.name} takes active slot ${slot} within a heartbeat or two`);
}
