/**
 * Console sessions are JWTs (next-auth) that carry the user's session version and a session id.
 * Every request checks both against the database, in one primary-key lookup: a password change,
 * an administrator's reset or "sign out everywhere" bumps the version and ends every session
 * signed before; signing out ends that one session (its id is kept until the JWT would expire).
 */
import { randomUUID } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import type { TUser } from '@/lib/auth/roles';
import { Prisma } from '@/lib/generated/prisma/client';
import { ROOT_USER } from '@/lib/auth/bootstrap';
import { recheckDirectoryRole } from '@/lib/auth/directory/directory-users';

/** What a session's JWT says about its user; anything else in it is next-auth's. */
export type TSessionClaims = { sub?: string; sv?: unknown; sid?: unknown; exp?: unknown };

export function newSessionClaims(user: { id: string; name?: string | null; sessionVersion: number }) {
  return { sub: user.id, name: user.name ?? undefined, sv: user.sessionVersion, sid: randomUUID() };
}

/**
 * The user a session belongs to while it is still valid, else null (deleted, outdated, signed out,
 * or refused by the directory). A directory user's role is re-read from the directory when it is
 * due (lib/auth/directory/directory-users.ts).
 */
export async function findSessionUser(db: TDb, claims: TSessionClaims | null | undefined): Promise<TUser | null> {
  if (!claims?.sub || typeof claims.sv !== 'number' || typeof claims.sid !== 'string') return null;
  const rows = await db.$queryRaw<(TUser & { recheckDue: boolean })[]>`
    SELECT u.id::text AS id, u.name, u.role::text AS role, ${RECHECK_DUE} AS "recheckDue"
      FROM app_user u LEFT JOIN auth_config c ON c.id = 1
     WHERE u.id = ${claims.sub}::uuid AND u.session_version = ${claims.sv} AND ${ACCOUNT_ALLOWED}
       AND NOT EXISTS (SELECT 1 FROM revoked_session r WHERE r.session_id = ${claims.sid})`;
  return withCurrentRole(db, rows[0]);
}

/**
 * SQL over `u` (app_user) and `c` (auth_config): the account may act now. Not when the directory
 * refused it, nor when it is a local account other than root and local accounts are switched off,
 * nor when it is an OpenID user and OpenID Connect is switched off or removed.
 */
export const ACCOUNT_ALLOWED = Prisma.sql`(u.refused_at IS NULL
  AND (u.source <> 'local' OR u.name = ${ROOT_USER} OR c.local_accounts_enabled IS NOT FALSE)
  AND (u.source <> 'oidc' OR (c.oidc IS NOT NULL AND (c.oidc->>'enabled')::boolean IS NOT FALSE)))`;

/** SQL over `u` (app_user) and `c` (auth_config): whether this directory user's role is due a re-check. */
export const RECHECK_DUE = Prisma.sql`(u.source IN ('ldap', 'oidc') AND (u.role_checked_at IS NULL OR u.role_checked_at <= now() - make_interval(secs => c.role_recheck_seconds)))`;

/** The user as found, or, when their re-check is due, with their role as the directory says now. */
export async function withCurrentRole(db: TDb, row: (TUser & { recheckDue: boolean }) | undefined): Promise<TUser | null> {
  if (!row) return null;
  const user: TUser = { id: row.id, name: row.name, role: row.role };
  return row.recheckDue ? recheckDirectoryRole(db, user) : user;
}

/** Ends one session (plain sign-out). */
export async function revokeSession(db: TDb, claims: TSessionClaims): Promise<void> {
  if (typeof claims.sid !== 'string') return;
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : new Date(Date.now() + 24 * 3600_000);
  await db.revokedSession.createMany({ data: [{ sessionId: claims.sid, expiresAt }], skipDuplicates: true });
}

/** Ends every session of a user, on every node ("sign out everywhere"). */
export async function signOutEverywhere(db: TDb, userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}
