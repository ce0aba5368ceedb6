/** The cluster's event timeline: registrations, role changes, liveness stages, settings changes. */
import { z } from 'zod';
import type { TDb } from '@/lib/db/client';

export const EVENT_KINDS = [
  'REGISTERED',
  'RESTARTED',
  'REMOVED',
  'BECAME_ACTIVE',
  'BECAME_STANDBY',
  'LATE',
  'NOT_RESPONDING',
  'RECOVERED',
  'FENCED',
  'SETTINGS_CHANGED',
  'MAINTENANCE_ON',
  'MAINTENANCE_OFF',
  'HANDOVER_REQUESTED',
  'CONFIG_PUSHED',
  'CONFIG_APPLIED',
  'RESTART_REQUESTED',
  'ROLLOUT_STARTED',
  'ROLLOUT_COMPLETED',
  'ROLLOUT_FAILED',
  // a node could not read its own configuration (lib/cluster/agent.ts); a rolling reset could not
  // put the active node count back, so the cluster keeps one more active node (lib/config/settle-rollouts.ts)
  'CONFIG_UNREADABLE',
  'ROLLOUT_RESTORE_FAILED',
  // recorded by the alarm watcher (lib/notify/alarm-watcher.ts)
  'ALARM_RAISED',
  'ALARM_CLEARED',
  // the shared database changed primary (lib/cluster/heartbeat-sql.ts); after one, the workflow elements
  // whose completion the old primary acknowledged but the new one lacks, which run again
  // (asynchronous replication loses them; lib/workflow/acknowledged-checkpoints.ts)
  'DATABASE_FAILOVER',
  'DATABASE_FAILOVER_LOST_WORK',
  // the authentication configuration was edited (lib/auth/directory/auth-config.ts)
  'AUTH_CONFIG_CHANGED',
] as const;

export const ZEventQuery = z
  .object({
    node: z.string().uuid('node must be a node id').optional(),
    kind: z.enum(EVENT_KINDS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type TEventQuery = z.infer<typeof ZEventQuery>;

export type TClusterEventView = {
  id: number;
  at: string;
  kind: string;
  nodeId: string | null;
  nodeName: string | null;
  actor: string | null;
  details: Record<string, unknown>;
};

export async function listEvents(db: TDb, query: TEventQuery): Promise<TClusterEventView[]> {
  const rows = await db.clusterEvent.findMany({
    where: { nodeId: query.node, kind: query.kind },
    orderBy: { id: 'desc' },
    take: query.limit,
  });
  const names = new Map(
    (
      await db.clusterNode.findMany({
        where: { id: { in: rows.flatMap((row) => (row.nodeId ? [row.nodeId] : [])) } },
        select: { id: true, name: true },
      })
    ).map((node) => [node.id, node.name]),
  );
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at.toISOString(),
    kind: row.kind,
    nodeId: row.nodeId,
    nodeName: row.nodeId ? (names.get(row.nodeId) ?? null) : null,
    actor: row.actor,
    details: row.details as Record<string, unknown>,
  }));
}
