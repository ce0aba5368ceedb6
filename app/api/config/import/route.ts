// POST /api/config/import — apply an export as a new pushed version, with its cluster settings and notification targets, in one transaction (admin)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { importConfiguration } from '@/lib/config/export/import-configuration';
import { IMPORT_MAX_BODY_BYTES, ZImportRequest } from '@/lib/config/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi(
  { role: ACTION_ROLES.importConfiguration, body: ZImportRequest, maxBodyBytes: IMPORT_MAX_BODY_BYTES, status: 201 },
  async ({ body, user }) => {
    const runtime = nodeRuntime();
    const result = await importConfiguration(db(), {
      ...body,
      node: { id: runtime.identity.id, name: runtime.identity.name },
      actor: user.name,
    });
    if (result.rolloutId !== null) runtime.resumeRollouts();
    return result;
  },
);
