/**
 * The cluster stored in a database: created by the first node that starts on an empty one
 * (its id, name and default settings), read by every later one.
 */
import { randomUUID } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { DEFAULT_SETTINGS } from '@/lib/cluster/settings';

export type TClusterIdentity = { clusterId: string; name: string };

export async function ensureCluster(
  db: TDb,
  initial: { name?: string; heartbeatIntervalMs?: number; failoverHeartbeats?: number; activeNodeCount?: number } = {},
): Promise<TClusterIdentity> {
  const intervalMs = initial.heartbeatIntervalMs ?? DEFAULT_SETTINGS.heartbeatIntervalMs;
  const failoverHeartbeats = initial.failoverHeartbeats ?? DEFAULT_SETTINGS.failoverHeartbeats;
  const clusterId = randomUUID();
  // only the first node's insert takes effect (id = 1 is the only row there can be)
  await db.cluster.createMany({
    data: [
      {
        id: 1,
        clusterId,
        name: initial.name ?? `cluster-${clusterId.slice(0, 8)}`,
        heartbeatIntervalMs: intervalMs,
        failoverHeartbeats,
        activeNodeCount: initial.activeNodeCount ?? DEFAULT_SETTINGS.activeNodeCount,
        previousIntervalMs: intervalMs,
        previousWindowMs: intervalMs * failoverHeartbeats,
      },
    ],
    skipDuplicates: true,
  });
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: 1 }, select: { clusterId: true, name: true } });
  return cluster;
}
