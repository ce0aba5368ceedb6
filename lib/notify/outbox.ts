/**
 * The notification outbox in the database: claim due deliveries (FOR UPDATE SKIP LOCKED, with a
 * lease so that a claimer that dies gives them back), and record each attempt's result.
 */
import type { TDb } from '@/lib/db/client';
import type { TSmtpSettings } from '@/lib/notify/schemas';

export type TClaimedDelivery = {
  id: string;
  kind: string;
  /** 1 on the first attempt */
  attempt: number;
  createdAt: Date;
  details: Record<string, unknown>;
  nodeId: string | null;
  nodeName: string | null;
  clusterName: string;
  target: {
    id: string;
    name: string;
    kind: string;
    url: string | null;
    secret: string | null;
    smtp: TSmtpSettings | null;
    smtpPassword: string | null;
  };
};

export type TOutboxStore = {
  claim(nodeId: string, limit: number, leaseMs: number): Promise<TClaimedDelivery[]>;
  complete(
    nodeId: string,
    delivery: TClaimedDelivery,
    outcome: { ok: boolean; result: string; durationMs: number; retryInMs: number | null },
  ): Promise<void>;
};

type TClaimRow = {
  id: string;
  kind: string;
  attempts: number;
  created_at: Date;
  details: Record<string, unknown>;
  node_id: string | null;
  node_name: string | null;
  cluster_name: string | null;
  target_id: string;
  target_name: string;
  target_kind: string;
  url: string | null;
  secret: string | null;
  smtp: TSmtpSettings | null;
  smtp_password: string | null;
};

export function pgOutboxStore(db: TDb): TOutboxStore {
  return {
    async claim(nodeId, limit, leaseMs) {
      // a row is free when it is due and nobody holds a live lease on it; SKIP LOCKED lets
      // several nodes claim at once without waiting on, or taking, each other's rows
      const rows = await db.$queryRaw<TClaimRow[]>`
        WITH claimed AS (
          UPDATE notification_delivery d
             SET claimed_by = ${nodeId}::uuid, claimed_until = now() + make_interval(secs => ${leaseMs / 1000}::float8), attempts = d.attempts + 1
           WHERE d.id IN (
             SELECT id FROM notification_delivery
              WHERE status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
              ORDER BY seq
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED)
          RETURNING d.*)
        SELECT c.id, c.kind, c.attempts, c.created_at, c.details, c.node_id, n.name AS node_name, (SELECT name FROM cluster WHERE id = 1) AS cluster_name,
               t.id AS target_id, t.name AS target_name, t.kind AS target_kind, t.url, t.secret, t.smtp, t.smtp_password
          FROM claimed c
          JOIN notification_target t ON t.id = c.target_id
          LEFT JOIN cluster_node n ON n.id = c.node_id
         ORDER BY c.seq`;
      return rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        attempt: row.attempts,
        createdAt: row.created_at,
        details: row.details ?? {},
        nodeId: row.node_id,
        nodeName: row.node_name,
        clusterName: row.cluster_name ?? '',
        target: {
          id: row.target_id,
          name: row.target_name,
          kind: row.target_kind,
          url: row.url,
          secret: row.secret,
          smtp: row.smtp,
          smtpPassword: row.smtp_password,
        },
      }));
    },

    async complete(nodeId, delivery, outcome) {
      const status = outcome.ok ? 'DELIVERED' : outcome.retryInMs === null ? 'FAILED' : 'PENDING';
      await db.$transaction([
        db.$executeRaw`
          INSERT INTO notification_attempt (delivery_id, node_id, ok, result, duration_ms)
          VALUES (${delivery.id}::uuid, ${nodeId}::uuid, ${outcome.ok}, ${outcome.result.slice(0, 500)}, ${Math.round(outcome.durationMs)})`,
        // only while this node still holds the lease: a claimer that lost it changes nothing
        db.$executeRaw`
          UPDATE notification_delivery
             SET status = ${status}, claimed_by = NULL, claimed_until = NULL,
                 delivered_at = CASE WHEN ${outcome.ok} THEN now() END,
                 last_error = CASE WHEN ${outcome.ok} THEN NULL ELSE ${outcome.result.slice(0, 500)} END,
                 next_attempt_at = now() + make_interval(secs => ${(outcome.retryInMs ?? 0) / 1000}::float8)
           WHERE id = ${delivery.id}::uuid AND claimed_by = ${nodeId}::uuid`,
      ]);
    },
  };
}
