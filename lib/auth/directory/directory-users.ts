/**
 * The user rows of directory users (source `ldap` or `oidc`, no password): created at the first
 * sign-in, their role set from their groups at every sign-in, and re-checked while their
 * sessions and API tokens are in use (LDAP: the directory; OpenID: the provider, through the
 * refresh token of the user's latest sign-in), at most once per `roleRecheckSeconds` per user
 * across the whole cluster (the claim is a conditional write on the database clock). A user the
 * directory no longer grants a role is marked refused: their sessions and tokens stop working
 * until a sign-in finds a group again.
 */
import type { TDb } from '@/lib/db/client';
import { AppError, isAppError } from '@/lib/api/app-error';
import type { TRole, TUser } from '@/lib/auth/roles';
import { readAuthConfig } from '@/lib/auth/directory/auth-config';
import { lookUpLdapUser } from '@/lib/auth/directory/ldap-directory';
import { roleForGroups } from '@/lib/auth/directory/role-mapping';
import { readOidcGroups } from '@/lib/auth/directory/oidc-refresh';
import type { TRoleMapping } from '@/lib/auth/directory/schemas';
import { logWarn } from '@/lib/node/log';

export type TDirectorySource = 'ldap' | 'oidc';
export type TSignedInUser = TUser & { sessionVersion: number };

/**
 * The row for a directory user who just signed in with `role`. A name that belongs to a local
 * account (or to the other directory) is not taken over.
 */
export async function recordDirectorySignIn(
  db: TDb,
  source: TDirectorySource,
  name: string,
  role: TRole,
): Promise<TSignedInUser> {
  const rows = await db.$queryRaw<{ id: string; name: string; role: TRole; sessionVersion: number }[]>`
    INSERT INTO app_user (id, name, role, source, password_hash, role_checked_at, refused_at, updated_at)
    VALUES (gen_random_uuid(), ${name}, ${role}::"Role", ${source}, NULL, now(), NULL, now())
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, role_checked_at = now(), refused_at = NULL, updated_at = now()
     WHERE app_user.source = EXCLUDED.source
    RETURNING id::text AS id, name, role::text AS role, session_version AS "sessionVersion"`;
  const row = rows[0];
  if (!row)
    throw new AppError(
      'CONFLICT',
      `the name ${name} belongs to an account that does not sign in through ${source === 'ldap' ? 'the directory' : 'OpenID Connect'}`,
    );
  return row;
}

/**
 * The directory grants this user nothing any more: their sessions and tokens stop at the next
 * request. An OpenID user's refresh token goes too (a new sign-in brings a new one).
 */
async function refuse(db: TDb, id: string): Promise<null> {
  await db.$executeRaw`UPDATE app_user SET refused_at = now(), oidc_refresh_token = NULL WHERE id = ${id}::uuid AND refused_at IS NULL`;
  return null;
}

/** The groups the directory or the OpenID provider lists for this user now; null: it no longer knows them. */
async function currentGroups(
  db: TDb,
  user: TUser,
  source: TDirectorySource,
): Promise<{ groups: string[]; roles: TRoleMapping[] } | null> {
  const config = await readAuthConfig(db);
  if (source === 'ldap') {
    if (!config.ldap?.enabled || config.ldapBindPassword === null) return null;
    const entry = await lookUpLdapUser(config.ldap, config.ldapBindPassword, user.name);
    return entry ? { groups: entry.groups, roles: config.ldap.roles } : null;
  }
  if (!config.oidc?.enabled || config.oidcClientSecret === null) return null;
  const groups = await readOidcGroups(db, user, config.oidc, config.oidcClientSecret);
  return groups ? { groups, roles: config.oidc.roles } : null;
}

/**
 * The user with their current role, re-read from the directory (LDAP: a search as the bind user;
 * OpenID: a refresh-token grant at the provider) when their last check is older than the
 * configured interval; null when the directory no longer grants them a role. While the directory
 * cannot be reached, the role last read stays in force (an outage of the directory must not lock
 * every operator out) and the next check comes one interval later.
 */
export async function recheckDirectoryRole(db: TDb, user: TUser): Promise<TUser | null> {
  // one request in the whole cluster does the check; the others go on with the role read last
  const claimed = await db.$queryRaw<{ source: TDirectorySource }[]>`
    UPDATE app_user u SET role_checked_at = now()
      FROM auth_config c
     WHERE u.id = ${user.id}::uuid AND c.id = 1 AND u.source IN ('ldap', 'oidc')
       AND (u.role_checked_at IS NULL OR u.role_checked_at <= now() - make_interval(secs => c.role_recheck_seconds))
    RETURNING u.source`;
  const source = claimed[0]?.source;
  if (!source) return user;

  try {
    const found = await currentGroups(db, user, source);
    const role = found ? roleForGroups(found.groups, found.roles) : null;
    if (role === null) return refuse(db, user.id);
    if (role !== user.role)
      await db.$executeRaw`UPDATE app_user SET role = ${role}::"Role", updated_at = now() WHERE id = ${user.id}::uuid`;
    return { ...user, role };
  } catch (error) {
    if (!isAppError(error, 'DIRECTORY_UNREACHABLE')) throw error;
    logWarn('auth', `could not re-check the groups of ${user.name}: ${error.message}; the role read last stays in force`);
    return user;
  }
}
