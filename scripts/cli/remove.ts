/** `orchctl remove NODE`: remove a node that is not responding from the cluster. */
import { callApi } from './api-client';
import { resolveNode, type TNodeCommandOptions } from './cluster-view';

export async function removeNode(options: TNodeCommandOptions, node: string): Promise<void> {
  const member = await resolveNode(options, node);
  await callApi(options.url, `/api/cluster/nodes/${member.id}`, { ...options, method: 'DELETE' });
  console.log(`removed ${member.name} (${member.id}) from the cluster`);
}
