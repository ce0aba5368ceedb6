import type { TDb } from '@/lib/db/client';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@/lib/auth/password';
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure, type TThrottleKey } from '@/lib/auth/login-throttle';
import type { TUser } from '@/lib/auth/roles';

/**
 * Checks a user name and password (sign-in page, HTTP Basic from the CLI). Returns the user, or
 * null when they do not match; throws TOO_MANY_ATTEMPTS when the rate limit is reached.
 */
export async function verifyCredentials(
  db: TDb,
  input: { name: string; password: string; address?: string },
): Promise<TUser | null> {
  const keys: TThrottleKey[] = [{ kind: 'user', value: input.name }];
  if (input.address) keys.push({ kind: 'addr', value: input.address });
  await assertLoginAllowed(db, keys);

  const user = await db.user.findUnique({ where: { name: input.name } });
  // compare against a dummy hash for unknown users, so that timing does not tell which exist
  const matches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !matches) {
    await recordLoginFailure(db, keys);
    return null;
  }
  await clearLoginFailures(db, keys[0]);
  return { id: user.id, name: user.name, role: user.role };
}
