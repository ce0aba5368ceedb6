// POST /api/config/export — the cluster's configuration as one file encrypted with the given password (admin)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { exportConfiguration } from '@/lib/config/export/export-configuration';
import { ZExportRequest } from '@/lib/config/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: ACTION_ROLES.exportConfiguration, body: ZExportRequest }, ({ body }) =>
  exportConfiguration(db(), { password: body.password, nodeName: nodeRuntime().identity.name }),
);
