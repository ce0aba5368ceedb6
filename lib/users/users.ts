/**
 * Users: list, create, change role or password, delete. The last administrator can be neither
 * deleted nor demoted; the check runs inside the transaction that would remove them.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { isUniqueViolation } from '@/lib/db/errors';
import { hashPassword } from '@/lib/auth/password';
import { clearUserThrottle } from '@/lib/auth/login-throttle';
import { verifyCredentials } from '@/lib/auth/verify-credentials';
import type { TUser } from '@/lib/auth/roles';
import type { TPasswordChange, TUserCreate, TUserUpdate, TUserView } from '@/lib/users/schemas';

type TUserRow = { id: string; name: string; role: TUserView['role']; version: number; createdAt: Date };

const toView = (row: TUserRow): TUserView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
});

const VIEW_FIELDS = { id: true, name: true, role: true, version: true, createdAt: true } as const;

export async function listUsers(db: TDb): Promise<TUserView[]> {
  return (await db.user.findMany({ select: VIEW_FIELDS, orderBy: { name: 'asc' } })).map(toView);
}

export async function findUser(db: TDb, id: string): Promise<TUser | null> {
  return db.user.findUnique({ where: { id }, select: { id: true, name: true, role: true } });
}

export async function createUser(db: TDb, input: TUserCreate): Promise<TUserView> {
  try {
    const row = await db.user.create({
      data: { name: input.name, role: input.role, passwordHash: await hashPassword(input.password) },
      select: VIEW_FIELDS,
    });
    return toView(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('CONFLICT', `a user named "${input.name}" already exists`, { field: 'name' });
    throw error;
  }
}

async function lockUser(tx: TTx, id: string, version?: number) {
  const rows = await tx.$queryRaw<{ id: string; role: string; version: number }[]>`
    SELECT id, role::text AS role, version FROM app_user WHERE id = ${id}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'no such user');
  if (version !== undefined && row.version !== version) {
    throw new AppError('STALE_VERSION', 'this user was changed by someone else; reload and try again', { field: 'version' });
  }
  return row;
}

/** Every admin row is locked first, so two concurrent demotions cannot both pass the check. */
async function assertAnotherAdmin(tx: TTx, id: string, action: string): Promise<void> {
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM app_user WHERE role = 'admin' ORDER BY id FOR UPDATE`;
  if (!admins.some((admin) => admin.id !== id)) {
    throw new AppError('LAST_ADMIN', `the last administrator cannot be ${action}`, {
      field: action === 'demoted' ? 'role' : undefined,
    });
  }
}

export async function updateUser(db: TDb, id: string, input: TUserUpdate): Promise<TUserView> {
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return db.$transaction(async (tx) => {
    const current = await lockUser(tx, id, input.version);
    if (current.role === 'admin' && input.role && input.role !== 'admin') await assertAnotherAdmin(tx, id, 'demoted');
    // a new password ends every session signed with the old one
    const row = await tx.user.update({
      where: { id },
      data: {
        role: input.role,
        passwordHash,
        version: { increment: 1 },
        sessionVersion: passwordHash ? { increment: 1 } : undefined,
      },
      select: VIEW_FIELDS,
    });
    if (passwordHash) await clearUserThrottle(tx, row.name);
    if (input.revokeTokens) {
      await tx.apiToken.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    }
    return toView(row);
  });
}

export async function deleteUser(db: TDb, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await lockUser(tx, id);
    if (current.role === 'admin') await assertAnotherAdmin(tx, id, 'deleted');
    await tx.user.delete({ where: { id } });
  });
}

/**
 * The current password is checked like a sign-in (same limits: a stolen session cannot guess
 * it faster); the change ends every session of the user, this one included.
 */
export async function changeOwnPassword(
  db: TDb,
  caller: TUser,
  input: TPasswordChange,
  address: string | undefined,
): Promise<void> {
  const own = await db.user.findUnique({ where: { id: caller.id }, select: { source: true } });
  if (own && own.source !== 'local') {
    throw new AppError('VALIDATION', 'your password is kept by your directory (LDAP or OpenID provider); change it there', {
      field: 'currentPassword',
    });
  }
  if (!(await verifyCredentials(db, { name: caller.name, password: input.currentPassword, address }))) {
    throw new AppError('VALIDATION', 'current password is wrong', { field: 'currentPassword' });
  }
  await db.user.update({
    where: { id: caller.id },
    data: { passwordHash: await hashPassword(input.newPassword), version: { increment: 1 }, sessionVersion: { increment: 1 } },
  });
}
