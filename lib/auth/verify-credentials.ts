import type { TDb } from '@/lib/db/client';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@/lib/auth/password';
import { claimLoginAttempt, releaseLoginAttempt, throttleKeys } from '@/lib/auth/login-throttle';
import { countPasswordCheck } from '@/lib/auth/password-checks';
import type { TUser } from '@/lib/auth/roles';

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
  void mine.catch(() => {}).then(() => {
    if (turns.get(key) === mine) turns.delete(key);
  });
  return mine;
}

async function checkOnce(db: TDb, input: { name: string; password: string }, keys: ReturnType<typeof throttleKeys>): Promise<TVerifiedUser | null> {
  await claimLoginAttempt(db, keys);
  // longer than any name or password can be: wrong without hashing (a huge guess costs nothing)
  if (input.name.length > MAX_NAME_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) return null;

  const user = await db.user.findUnique({ where: { name: input.name } });
  // compare against a dummy hash for unknown users, so that timing does not tell which exist
  countPasswordCheck();
  const matches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !matches) return null;
  await releaseLoginAttempt(db, keys);
  return { id: user.id, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}
