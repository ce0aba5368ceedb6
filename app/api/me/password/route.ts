// PUT /api/me/password — change one's own password (ends every session of the user)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { CLIENT_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { changeOwnPassword } from '@/lib/users/users';
import { ZPasswordChange } from '@/lib/users/schemas';

export const PUT = withApi({ role: 'viewer', body: ZPasswordChange }, ({ req, user, body }) =>
  changeOwnPassword(db(), user, body, req.headers.get(CLIENT_ADDRESS_HEADER) ?? undefined),
);
