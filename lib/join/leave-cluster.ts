/**
 * Leaving: the node tombstones itself in the cluster (the others show it removed), forgets its
 * membership and restarts on its built-in database, whose data is as it was before the join.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readMembership, removeMembership } from '@/lib/node/membership';
import { removeChosenDatabaseUrl } from '@/lib/node/database-choice';
import type { TNodeRuntime } from '@/lib/node/runtime';

export async function leaveCluster(db: TDb, runtime: TNodeRuntime, actor: string): Promise<{ left: string; restarting: true }> {
  if (runtime.standalone) throw new AppError('CONFLICT', 'this node is not in a cluster');
  const membership = await readMembership(runtime.dataDir);
  if (!membership) {
    throw new AppError('CONFLICT', 'this node was started with --database-url: to leave, start it without that option');
  }
  const nodeId = runtime.identity.id;
  await db.$transaction([
    db.$executeRaw`UPDATE cluster_node SET removed_at = now(), removed_by = ${actor}, stopped_at = now() WHERE id = ${nodeId}::uuid`,
    db.clusterEvent.create({ data: { kind: 'REMOVED', nodeId, actor, details: { name: runtime.identity.name, left: true } } }),
  ]);
  await removeMembership(runtime.dataDir);
  // a URL the cluster moved this member to goes with the membership
  await removeChosenDatabaseUrl(runtime.dataDir);
  runtime.requestRestart(`left cluster ${membership.clusterName}`);
  return { left: membership.clusterId, restarting: true };
}
