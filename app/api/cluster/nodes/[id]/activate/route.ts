// POST /api/cluster/nodes/:id/activate — hand the active role to this standby
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { makeActive } from '@/lib/cluster/make-active';
import { ZNodeParams } from '@/lib/cluster/node-params';

export const POST = withApi({ role: ACTION_ROLES.activateNode, params: ZNodeParams }, ({ params, user }) =>
  makeActive(db(), params.id, user.name),
);
