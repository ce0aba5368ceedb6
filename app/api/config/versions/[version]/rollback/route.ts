// POST /api/config/versions/:version/rollback — push an older version again (operator); with reset, a rolling restart follows
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { rollbackConfiguration } from '@/lib/config/rollback-configuration';
import { ZRollback, ZVersionParams } from '@/lib/config/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi(
  { role: ACTION_ROLES.rollbackConfiguration, params: ZVersionParams, body: ZRollback, status: 201 },
  async ({ params, body, user }) => {
    const runtime = nodeRuntime();
    const node = { id: runtime.identity.id, name: runtime.identity.name };
    const result = await rollbackConfiguration(db(), {
      version: Number(params.version),
      node,
      actor: user.name,
      reset: body.reset,
    });
    if (result.rolloutId !== null) runtime.resumeRollouts();
    return result;
  },
);
