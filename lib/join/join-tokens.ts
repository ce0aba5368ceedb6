/**
 * One-time join tokens. Consuming one is a single conditional write: a token works once, until
 * it expires, even when two nodes present it at the same moment.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { seedFingerprint } from '@/lib/join/certificate';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createJoinToken(db: TDb, actor: string, ttlMinutes: number) {
  const token = `join_${randomBytes(24).toString('base64url')}`;
  const [{ fingerprint }, row] = await Promise.all([
    seedFingerprint(db),
    db.$queryRaw<{ expires_at: Date }[]>`
      INSERT INTO join_token (id, token_hash, created_by, expires_at)
      VALUES (gen_random_uuid(), ${hash(token)}, ${actor}, now() + make_interval(mins => ${ttlMinutes}))
      RETURNING expires_at`,
  ]);
  return { token, fingerprint, expiresAt: row[0].expires_at.toISOString() };
}

export async function consumeJoinToken(db: TDb, token: string, nodeId: string): Promise<void> {
  const used = await db.$executeRaw`
    UPDATE join_token SET used_at = now(), used_by = ${nodeId}::uuid
     WHERE token_hash = ${hash(token)} AND used_at IS NULL AND expires_at > now()`;
  if (used === 1) return;
  const [row] = await db.$queryRaw<{ used: boolean; expired: boolean }[]>`
    SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM join_token WHERE token_hash = ${hash(token)}`;
  const reason = !row ? 'is not valid' : row.used ? 'was already used' : 'has expired';
  throw new AppError('UNAUTHENTICATED', `the join token ${reason}`, { field: 'token' });
}
