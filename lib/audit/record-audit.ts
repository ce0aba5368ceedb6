/**
 * The audit log: every state-changing API request of a signed-in user, and every public write,
 * with who, what, from which address and how it ended. Bodies are never stored (they carry
 * passwords, keys and tokens); the path names the target.
 */
import type { TDb } from '@/lib/db/client';

export type TAuditRecord = {
  actor: string | null;
  role: string | null;
  via: string | null;
  method: string;
  path: string;
  status: number;
  errorCode: string | null;
  address: string | null;
  nodeId: string | null;
};

export async function recordAudit(db: TDb, record: TAuditRecord): Promise<void> {
  await db.auditEntry.create({ data: record });
}
