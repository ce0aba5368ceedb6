/**
 * Console sessions are JWTs (next-auth) that carry the user's session version and a session id.
 * Every request checks both against the database, in one primary-key lookup: a password change,
 * an administrator's reset or "sign out everywhere" bumps the version and ends every session
 * signed before; signing out ends that one session (its id is kept until the JWT would expire).
 */
import { randomUUID } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import type { TRole, TUser } from '@/lib/auth/roles';

/** What a session's JWT says about its user; anything else in it is next-auth's. */
export type TSessionClaims = { sub?: string; sv?: unknown; sid?: unknown; exp?: unknown };

export function newSessionClaims(user: { id: string; name?: string | null; sessionVersion: number }) {
  return { sub: user.id, name: user.name ?? undefined, sv: user.sessionVersion, sid: randomUUID() };
}

/** The user a session belongs to while it is still valid, else null (deleted, outdated or signed out). */
export async function findSessionUser(db: TDb, claims: TSessionClaims | null | undefined): Promise<TUser | null> {
  if (!claims?.sub || typeof claims.sv !== 'number' || typeof claims.sid !== 'string') return null;
  const rows = await db.$queryRaw<{ id: string; name: string; role: TRole }[]>`
    SELECT u.id::text AS id, u.name, u.role::text AS role
      FROM app_user u
     WHERE u.id = ${claims.sub}::uuid AND u.session_version = ${claims.sv}
       AND NOT EXISTS (SELECT 1 FROM revoked_session r WHERE r.session_id = ${claims.sid})`;
  return rows[0] ?? null;
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
