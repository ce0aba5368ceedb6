/** Notification targets: create, list (secrets never leave the database), delete, send a test. */
import { randomUUID } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { isUniqueViolation } from '@/lib/db/errors';
import type { TDeliveryQuery, TDeliveryView, TSmtpSettings, TTargetCreate, TTargetView } from '@/lib/notify/schemas';

type TTargetRow = {
  id: string;
  name: string;
  kind: string;
  url: string | null;
  secret: string | null;
  smtp: unknown;
  smtpPassword: string | null;
  events: string[];
  enabled: boolean;
  createdAt: Date;
  createdBy: string | null;
};

function toView(row: TTargetRow): TTargetView {
  const smtp = row.smtp as TSmtpSettings | null;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as TTargetView['kind'],
    url: row.url,
    smtp: smtp
      ? {
          host: smtp.host,
          port: smtp.port,
          security: smtp.security,
          user: smtp.user,
          from: smtp.from,
          to: smtp.to,
          hasCa: Boolean(smtp.ca),
        }
      : null,
    events: row.events,
    enabled: row.enabled,
    hasSecret: Boolean(row.secret ?? row.smtpPassword),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

export async function createTarget(db: TDb, input: TTargetCreate, actor: string | null): Promise<TTargetView> {
  try {
    const row = await db.notificationTarget.create({
      data:
        input.kind === 'WEBHOOK'
          ? {
              id: randomUUID(),
              name: input.name,
              kind: 'WEBHOOK',
              url: input.url,
              secret: input.secret ?? null,
              events: input.events,
              createdBy: actor,
            }
          : {
              id: randomUUID(),
              name: input.name,
              kind: 'EMAIL',
              smtp: input.smtp,
              smtpPassword: input.smtpPassword ?? null,
              events: input.events,
              createdBy: actor,
            },
    });
    return toView(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('CONFLICT', `a notification target named "${input.name}" exists already`, { field: 'name' });
    throw error;
  }
}

export async function listTargets(db: TDb): Promise<TTargetView[]> {
  return (await db.notificationTarget.findMany({ orderBy: { createdAt: 'asc' } })).map(toView);
}

export async function deleteTarget(db: TDb, id: string): Promise<{ ok: true }> {
  const { count } = await db.notificationTarget.deleteMany({ where: { id } });
  if (count === 0) throw new AppError('NOT_FOUND', 'no such notification target');
  return { ok: true };
}

/** *Send test*: a TEST delivery through the same outbox as real events; the delivery log shows its result. */
export async function sendTestNotification(
  db: TDb,
  id: string,
  nodeId: string | null,
  actor: string | null,
): Promise<{ deliveryId: string }> {
  const target = await db.notificationTarget.findUnique({ where: { id }, select: { id: true } });
  if (!target) throw new AppError('NOT_FOUND', 'no such notification target');
  const deliveryId = randomUUID();
  await db.notificationDelivery.create({
    data: { id: deliveryId, targetId: id, kind: 'TEST', nodeId, details: { requestedBy: actor } },
  });
  return { deliveryId };
}

/** The delivery log: the latest deliveries, newest first, each with its attempts. */
export async function listDeliveries(db: TDb, query: TDeliveryQuery): Promise<TDeliveryView[]> {
  const rows = await db.notificationDelivery.findMany({
    where: { targetId: query.target },
    orderBy: { seq: 'desc' },
    take: query.limit,
    include: { target: { select: { name: true } }, tries: { orderBy: { id: 'desc' }, take: 10 } },
  });
  const nodeIds = new Set(
    rows.flatMap((row) => [row.nodeId, ...row.tries.map((attempt) => attempt.nodeId)]).filter((id): id is string => Boolean(id)),
  );
  const names = new Map(
    (await db.clusterNode.findMany({ where: { id: { in: [...nodeIds] } }, select: { id: true, name: true } })).map((node) => [
      node.id,
      node.name,
    ]),
  );
  return rows.map((row) => ({
    id: row.id,
    targetId: row.targetId,
    targetName: row.target.name,
    kind: row.kind,
    nodeName: row.nodeId ? (names.get(row.nodeId) ?? null) : null,
    status: row.status as TDeliveryView['status'],
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    attempts: row.tries.map((attempt) => ({
      at: attempt.at.toISOString(),
      ok: attempt.ok,
      result: attempt.result,
      durationMs: attempt.durationMs,
      nodeName: attempt.nodeId ? (names.get(attempt.nodeId) ?? null) : null,
    })),
  }));
}
