// POST /api/database/use — a standalone node leaves its built-in database for this one (admin); the URL is never echoed, logged or audited
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { requestUseDatabase, ZDatabaseUse } from '@/lib/database/use-database';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi(
  { role: ACTION_ROLES.useDatabase, body: ZDatabaseUse, maxBodyBytes: 8 * 1024, status: 202 },
  ({ body, user }) => requestUseDatabase(nodeRuntime(), db(), body, user.name),
);
