/**
 * The way back in for a person at a node's machine: a new password for a user (root by default),
 * set straight in the database the node uses. Whoever can read the node's data directory can
 * read that database's password anyway, so this grants nothing new — and it is the one path no
 * sign-in limit can block. It ends the user's sessions, lifts the limits on their name and is
 * written to the audit log.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { hashPassword } from '@/lib/auth/password';
import { clearUserThrottle } from '@/lib/auth/login-throttle';
import { ZPassword } from '@/lib/users/schemas';

export const LOCAL_RESET_PATH = 'orchctl node reset-password';

export async function resetPasswordLocally(
  db: TDb,
  input: { user: string; password: string; nodeId: string | null },
): Promise<{ user: string; role: string }> {
  const parsed = ZPassword.safeParse(input.password);
  if (!parsed.success) throw new AppError('VALIDATION', `new password: ${parsed.error.issues[0].message}`, { field: 'password' });
  const passwordHash = await hashPassword(parsed.data);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { name: input.user } });
    if (!existing) throw new AppError('NOT_FOUND', `no user named "${input.user}" in this node's database`, { field: 'user' });
    const user = await tx.user.update({
      where: { id: existing.id },
      data: { passwordHash, version: { increment: 1 }, sessionVersion: { increment: 1 } },
    });
    await clearUserThrottle(tx, user.name);
    await tx.auditEntry.create({
      data: {
        actor: user.name,
        role: user.role,
        via: 'local',
        method: 'CLI',
        path: LOCAL_RESET_PATH,
        status: 200,
        errorCode: null,
        address: null,
        nodeId: input.nodeId,
      },
    });
    return { user: user.name, role: user.role };
  });
}
