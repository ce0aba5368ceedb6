// POST /api/database/move — every node tests the new URL, then a rolling reset switches them one at a time (admin)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { moveCluster, ZDatabaseMove } from '@/lib/database/move-database';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi(
  { role: ACTION_ROLES.moveDatabase, body: ZDatabaseMove, maxBodyBytes: 8 * 1024, status: 202 },
  ({ body, user }) => moveCluster(nodeRuntime(), body, user.name),
);
