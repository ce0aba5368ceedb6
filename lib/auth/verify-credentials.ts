import type { TDb } from '@/lib/db/client';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@/lib/auth/password';
import { claimLoginAttempt, releaseLoginAttempt, throttleKeys } from '@/lib/auth/login-throttle';
import { countPasswordCheck } from '@/lib/auth/password-checks';
import type { TUser } from '@/lib/auth/roles';
import { AppError, isAppError } from '@/lib/api/app-error';
import { ROOT_USER } from '@/lib/auth/bootstrap';
import { readAuthConfig } from '@/lib/auth/directory/auth-config';
import { authenticateLdapUser } from '@/lib/auth/directory/ldap-directory';
import { noGroupMessage, roleForGroups } from '@/lib/auth/directory/role-mapping';
import { recordDirectorySignIn } from '@/lib/auth/directory/directory-users';

const MAX_NAME_LENGTH = 64;
const MAX_PASSWORD_LENGTH = 256;

export type TVerifiedUser = TUser & { sessionVersion: number };

/**
 * Checks a user name and password on every password path (sign-in page, HTTP Basic from the CLI,
 * joins with an administrator's password). Returns the user, or null when they do not match;
 * throws TOO_MANY_ATTEMPTS, before any hashing, when the attempt is over the limit.
 */
export async function verifyCredentials(
  db: TDb,
  input: { name: string; password: string; address?: string },
): Promise<TVerifiedUser | null> {
  const keys = throttleKeys(input.name, input.address);
  return oneAtATime(keys.pair, () => checkOnce(db, input, keys));
}

/**
 * Attempts of one (user, address) pair on this node take turns. Each attempt is counted before its
 * password is checked, so without turns a burst of parallel requests with the *right* password (a
 * script, the CLI started many times) would use up the free attempts before the first success
 * gave its count back, and be refused. In turn, each success clears the pair for the next; a
 * burst of wrong guesses still gets exactly the free checks, and the count in the database keeps
 * holding across nodes.
 */
const turns = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(work);
  turns.set(key, mine);
  // the last in line removes the key, so the map holds only pairs with attempts under way
  void mine
    .catch(() => {})
    .then(() => {
      if (turns.get(key) === mine) turns.delete(key);
    });
  return mine;
}

async function checkOnce(
  db: TDb,
  input: { name: string; password: string },
  keys: ReturnType<typeof throttleKeys>,
): Promise<TVerifiedUser | null> {
  await claimLoginAttempt(db, keys);
  // longer than any name or password can be: wrong without hashing (a huge guess costs nothing)
  if (input.name.length > MAX_NAME_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) return null;

  const [user, config] = await Promise.all([db.user.findUnique({ where: { name: input.name } }), readAuthConfig(db)]);
  // a name without a local account goes to the directory, when one is configured; root never does
  const ldap = config.ldap?.enabled && config.ldapBindPassword !== null && input.name !== ROOT_USER ? config.ldap : null;
  if (ldap && config.ldapBindPassword !== null && (!user || user.source === 'ldap')) {
    let verified: TVerifiedUser | null;
    try {
      verified = await checkWithDirectory(db, ldap, config.ldapBindPassword, input);
    } catch (error) {
      // not the caller's failure: the attempt is not counted against them
      if (isAppError(error, 'DIRECTORY_UNREACHABLE')) await releaseLoginAttempt(db, keys);
      throw error;
    }
    if (verified) await releaseLoginAttempt(db, keys);
    return verified;
  }

  // compare against a dummy hash for unknown users (and users without a password here), so that timing does not tell which exist
  countPasswordCheck();
  const local = user?.source === 'local' ? user : null;
  const matches = await verifyPassword(input.password, local?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!local || !matches) return null;
  if (!config.localAccountsEnabled && local.name !== ROOT_USER) {
    throw new AppError(
      'FORBIDDEN',
      'local accounts are switched off; sign in with your directory account (root still signs in here)',
    );
  }
  await releaseLoginAttempt(db, keys);
  return { id: local.id, name: local.name, role: local.role, sessionVersion: local.sessionVersion };
}

/** A directory user: their password checked by the directory, their role from their groups (refused when none grants one). */
async function checkWithDirectory(
  db: TDb,
  settings: NonNullable<Awaited<ReturnType<typeof readAuthConfig>>['ldap']>,
  bindPassword: string,
  input: { name: string; password: string },
): Promise<TVerifiedUser | null> {
  const entry = await authenticateLdapUser(settings, bindPassword, input.name, input.password);
  if (!entry) return null;
  const role = roleForGroups(entry.groups, settings.roles);
  if (role === null) throw new AppError('FORBIDDEN', noGroupMessage(input.name));
  return recordDirectorySignIn(db, 'ldap', input.name, role);
}
