// PATCH /api/users/:id — change role or reset password (admin) · DELETE — delete the user (admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { deleteUser, updateUser } from '@/lib/users/users';
import { ZUserUpdate } from '@/lib/users/schemas';

export const PATCH = withApi({ role: 'admin', body: ZUserUpdate }, ({ params, body }) => updateUser(db(), params.id, body));
export const DELETE = withApi({ role: 'admin' }, ({ params }) => deleteUser(db(), params.id));
