// POST /api/auth/test — look a directory user up and check their password: DN, groups, resulting role; signs nobody in (admin)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { ZDirectoryTest } from '@/lib/auth/directory/schemas';
import { testDirectoryUser } from '@/lib/auth/directory/test-directory-user';

export const POST = withApi({ role: ACTION_ROLES.manageAuthentication, body: ZDirectoryTest }, ({ body }) =>
  testDirectoryUser(db(), body),
);
