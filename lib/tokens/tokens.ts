/**
 * API bearer tokens for automation. A token acts as its owner, with the owner's current role.
 * Only a SHA-256 of the value is stored; the value is shown once, at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { hasRole, type TUser } from '@/lib/auth/roles';
import type { TCreatedToken, TTokenCreate, TTokenView } from '@/lib/tokens/schemas';

const TOKEN_PREFIX = 'orch_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type TTokenRow = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };
const toView = (row: TTokenRow): TTokenView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export async function createApiToken(db: TDb, owner: TUser, input: TTokenCreate): Promise<TCreatedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await db.apiToken.create({
    data: { userId: owner.id, name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) },
  });
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

/** The owner of a valid (not revoked) token, or null. */
export async function authenticateApiToken(db: TDb, token: string): Promise<TUser | null> {
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { id: true, name: true, role: true } } },
  });
  if (!row || row.revokedAt) return null;
  // last use is informative only: at most one write a minute per token
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return row.user;
}
