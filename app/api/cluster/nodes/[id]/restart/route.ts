// POST /api/cluster/nodes/:id/restart — ask a node to restart (admin); it does at its next heartbeat
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZNodeParams } from '@/lib/cluster/node-params';
import { requestNodeRestart } from '@/lib/cluster/request-restart';

export const POST = withApi({ role: ACTION_ROLES.restartNode, params: ZNodeParams }, ({ params, user }) =>
  requestNodeRestart(db(), params.id, user.name),
);
