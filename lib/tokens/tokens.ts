/**
 * API bearer tokens for automation. A token acts as its owner, with the owner's current role.
 * Only a SHA-256 of the value is stored; the value is shown once, at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { hasRole, type TUser } from '@/lib/auth/roles';
import { ACCOUNT_ALLOWED, RECHECK_DUE, withCurrentRole } from '@/lib/auth/sessions';
import type { TCreatedToken, TTokenCreate, TTokenView } from '@/lib/tokens/schemas';

const TOKEN_PREFIX = 'orch_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type TTokenRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
};
const toView = (row: TTokenRow): TTokenView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  expired: row.expiresAt !== null && row.expiresAt.getTime() <= Date.now(),
});

export async function createApiToken(db: TDb, owner: TUser, input: TTokenCreate): Promise<TCreatedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  // the expiry is set on the database clock, the one every node checks it against
  const [row] = await db.$queryRaw<TTokenRow[]>`
    INSERT INTO api_token (id, user_id, name, token_hash, prefix, expires_at)
    VALUES (gen_random_uuid(), ${owner.id}::uuid, ${input.name}, ${hashToken(token)}, ${token.slice(0, TOKEN_PREFIX.length + 6)},
            CASE WHEN ${input.expiresInDays ?? null}::int IS NULL THEN NULL ELSE now() + make_interval(days => ${input.expiresInDays ?? null}::int) END)
    RETURNING id::text AS id, name, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", expires_at AS "expiresAt"`;
  return { ...toView(row), token };
}

export async function listApiTokens(db: TDb, owner: TUser): Promise<TTokenView[]> {
  const rows = await db.apiToken.findMany({ where: { userId: owner.id }, orderBy: { createdAt: 'desc' } });
  return rows.map(toView);
}

/** Owners revoke their own tokens; administrators may revoke anyone's. */
export async function revokeApiToken(db: TDb, actor: TUser, id: string): Promise<TTokenView> {
  const row = await db.apiToken.findUnique({ where: { id } });
  if (!row || (row.userId !== actor.id && !hasRole(actor, 'admin'))) throw new AppError('NOT_FOUND', 'no such token');
  const updated = await db.apiToken.update({ where: { id }, data: { revokedAt: row.revokedAt ?? new Date() } });
  return toView(updated);
}

/** Revokes every token of a user that still works (e.g. with an administrator's password reset). */
export async function revokeUserTokens(db: TDb, userId: string): Promise<number> {
  const { count } = await db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}

/** The owner of a valid token (not revoked, not expired on the database clock), or null. */
export async function authenticateApiToken(db: TDb, token: string): Promise<TUser | null> {
  // a directory user's token acts with their current role: refused ones get nothing, due ones are re-checked
  const [row] = await db.$queryRaw<
    { id: string; lastUsedAt: Date | null; userId: string; name: string; role: TUser['role']; recheckDue: boolean }[]
  >`
    SELECT t.id::text AS id, t.last_used_at AS "lastUsedAt", u.id::text AS "userId", u.name, u.role::text AS role, ${RECHECK_DUE} AS "recheckDue"
      FROM api_token t JOIN app_user u ON u.id = t.user_id LEFT JOIN auth_config c ON c.id = 1
     WHERE t.token_hash = ${hashToken(token)} AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
       AND ${ACCOUNT_ALLOWED}`;
  if (!row) return null;
  // last use is informative only: at most one write a minute per token
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return withCurrentRole(db, { id: row.userId, name: row.name, role: row.role, recheckDue: row.recheckDue });
}
