/**
 * The audit log: every state-changing API request of a signed-in user, and every public write,
 * with who, what, from which address and how it ended. Bodies are never stored (they carry
 * passwords, keys and tokens); the path names the target.
 *
 * Entries without a signed-in actor are limited per client address and minute, counted in the
 * database: past the limit one summary entry says so and the rest of that minute is not
 * recorded, so that nobody can fill the log without signing in.
 */
import type { TDb } from '@/lib/db/client';
import { sweepExpiredAuthRowsSometimes } from '@/lib/auth/sweep-expired';

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

export const UNAUTHENTICATED_AUDIT_PER_MINUTE = 30;
/** The error code of the summary entry written when an address goes over the limit. */
export const AUDIT_RATE_LIMITED = 'AUDIT_RATE_LIMITED';

export async function recordAudit(db: TDb, record: TAuditRecord): Promise<void> {
  if (record.actor !== null) {
    await db.auditEntry.create({ data: record });
    return;
  }
  const limit = UNAUTHENTICATED_AUDIT_PER_MINUTE;
  const address = record.address ?? 'unknown';
  // one statement: count this entry for its address and minute (database clock), then write it,
  // or the summary when it is the first one over the limit, or nothing
  await db.$executeRaw`
    WITH counted AS (
      INSERT INTO audit_throttle AS t (address, minute, entries) VALUES (${address}, date_trunc('minute', now()), 1)
      ON CONFLICT (address, minute) DO UPDATE SET entries = t.entries + 1
      RETURNING entries
    )
    INSERT INTO audit_entry (actor, role, via, method, path, status, error_code, address, node_id)
    SELECT NULL, NULL, NULL,
           CASE WHEN entries <= ${limit} THEN ${record.method} ELSE '*' END,
           CASE WHEN entries <= ${limit} THEN ${record.path}
                ELSE ${`(more than ${limit} unauthenticated requests this minute; the rest of the minute is not recorded)`} END,
           CASE WHEN entries <= ${limit} THEN ${record.status}::int ELSE 429 END,
           CASE WHEN entries <= ${limit} THEN ${record.errorCode} ELSE ${AUDIT_RATE_LIMITED} END,
           ${record.address}, ${record.nodeId}::uuid
      FROM counted WHERE entries <= ${limit} + 1`;
  sweepExpiredAuthRowsSometimes(db);
}
