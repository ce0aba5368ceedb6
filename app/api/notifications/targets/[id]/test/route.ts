// POST /api/notifications/targets/:id/test — Send test: a TEST delivery through the outbox (admin)
import { z } from 'zod';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { sendTestNotification } from '@/lib/notify/targets';
import { nodeRuntime } from '@/lib/node/runtime';

const ZParams = z.object({ id: z.string().uuid('id must be a target id') });
export const POST = withApi({ role: 'admin', params: ZParams, status: 202 }, ({ params, user }) =>
  sendTestNotification(db(), params.id, nodeRuntime().identity.id, user.name),
);
