// GET /api/notifications/targets — the notification targets (never their secrets) · POST — add one (admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZTargetCreate } from '@/lib/notify/schemas';
import { createTarget, listTargets } from '@/lib/notify/targets';

export const GET = withApi({ role: 'admin' }, () => listTargets(db()));
export const POST = withApi({ role: 'admin', body: ZTargetCreate, status: 201 }, ({ body, user }) =>
  createTarget(db(), body, user.name),
);
