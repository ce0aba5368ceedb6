// GET /api/auth/config — how users sign in (secrets only as "stored") · PUT — change it, with the version read (admin)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { ZAuthConfigUpdate } from '@/lib/auth/directory/schemas';
import { showAuthConfig, updateAuthConfig } from '@/lib/auth/directory/auth-config';

export const GET = withApi({ role: ACTION_ROLES.manageAuthentication }, () => showAuthConfig(db()));
export const PUT = withApi({ role: ACTION_ROLES.manageAuthentication, body: ZAuthConfigUpdate }, ({ body, user }) =>
  updateAuthConfig(db(), body, user.name),
);
