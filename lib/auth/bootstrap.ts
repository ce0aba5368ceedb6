/**
 * What the first start of an empty database creates: the `root` administrator and the shared
 * session secret. Both are created at most once per database, even when several nodes start
 * at the same moment (the unique key decides who wins).
 */
import { randomBytes } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { isUniqueViolation } from '@/lib/db/errors';
import { generatePassword, hashPassword } from '@/lib/auth/password';

export const ROOT_USER = 'root';
const AUTH_SECRET = 'auth';

export type TRootBootstrap = { created: false } | { created: true; generatedPassword?: string };

export async function ensureRootUser(db: TDb, passwordFromEnv: string | undefined): Promise<TRootBootstrap> {
  if ((await db.user.count()) > 0) return { created: false };
  const password = passwordFromEnv ?? generatePassword();
  try {
    await db.user.create({ data: { name: ROOT_USER, role: 'admin', passwordHash: await hashPassword(password) } });
  } catch (error) {
    if (isUniqueViolation(error)) return { created: false };
    throw error;
  }
  return passwordFromEnv ? { created: true } : { created: true, generatedPassword: password };
}

/** The secret that signs session cookies; shared through the database by every node. */
export async function ensureAuthSecret(db: TDb): Promise<string> {
  await db.sharedSecret.createMany({
    data: [{ name: AUTH_SECRET, value: randomBytes(32).toString('base64url') }],
    skipDuplicates: true,
  });
  const secret = await db.sharedSecret.findUniqueOrThrow({ where: { name: AUTH_SECRET } });
  return secret.value;
}
