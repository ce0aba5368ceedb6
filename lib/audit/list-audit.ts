import { z } from 'zod';
import type { TDb } from '@/lib/db/client';
import type { TAuditRecord } from '@/lib/audit/record-audit';

export const ZAuditQuery = z
  .object({
    actor: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type TAuditQuery = z.infer<typeof ZAuditQuery>;

export type TAuditEntryView = TAuditRecord & { id: number; at: string; nodeName: string | null };

/** The newest entries first, optionally one user's. */
export async function listAudit(db: TDb, query: TAuditQuery): Promise<TAuditEntryView[]> {
  const [rows, nodes] = await Promise.all([
    db.auditEntry.findMany({ where: query.actor ? { actor: query.actor } : {}, orderBy: { id: 'desc' }, take: query.limit }),
    db.clusterNode.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    at: row.at.toISOString(),
    nodeName: row.nodeId ? (names.get(row.nodeId) ?? null) : null,
  }));
}
