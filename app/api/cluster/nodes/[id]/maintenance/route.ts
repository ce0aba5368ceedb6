// PUT /api/cluster/nodes/:id/maintenance { enabled } — maintenance on (never active) or off
import { z } from 'zod';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { setMaintenance } from '@/lib/cluster/set-maintenance';
import { ZNodeParams } from '@/lib/cluster/node-params';

const ZMaintenance = z.object({ enabled: z.boolean({ error: 'enabled must be true or false' }) }).strict();

export const PUT = withApi(
  { role: ACTION_ROLES.setMaintenance, params: ZNodeParams, body: ZMaintenance },
  ({ params, body, user }) => setMaintenance(db(), params.id, body.enabled, user.name),
);
