// POST /api/config/push — this node's configuration becomes the cluster's reference (operator); with reset, a rolling restart follows
import { z } from 'zod';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { pushConfiguration } from '@/lib/config/push-configuration';
import { nodeRuntime } from '@/lib/node/runtime';

const ZPush = z.object({ reset: z.boolean().default(false) }).strict();

export const POST = withApi({ role: ACTION_ROLES.pushConfiguration, body: ZPush, status: 201 }, async ({ body, user }) => {
  const runtime = nodeRuntime();
  const result = await pushConfiguration(db(), {
    dataDir: runtime.dataDir,
    node: { id: runtime.identity.id, name: runtime.identity.name },
    actor: user.name,
    reset: body.reset,
  });
  if (result.rolloutId !== null) runtime.resumeRollouts();
  return result;
});
