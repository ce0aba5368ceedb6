// GET /api/cluster/nodes/:id — one member with its recent heartbeat gaps (node detail page)
// DELETE /api/cluster/nodes/:id — remove a node that is not responding (its id is tombstoned)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { removeNode } from '@/lib/cluster/remove-node';
import { readNodeDetail } from '@/lib/cluster/status';
import { ZNodeParams } from '@/lib/cluster/node-params';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: ACTION_ROLES.view, params: ZNodeParams }, ({ params, user }) =>
  readNodeDetail(db(), params.id, user.role),
);
export const DELETE = withApi({ role: ACTION_ROLES.removeNode, params: ZNodeParams }, ({ params, user }) =>
  removeNode(db(), params.id, user.name),
);
