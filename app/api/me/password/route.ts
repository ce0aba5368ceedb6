// PUT /api/me/password — change one's own password
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { changeOwnPassword } from '@/lib/users/users';
import { ZPasswordChange } from '@/lib/users/schemas';

export const PUT = withApi({ role: 'viewer', body: ZPasswordChange }, ({ user, body }) => changeOwnPassword(db(), user.id, body));
