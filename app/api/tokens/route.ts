// GET /api/tokens — the caller's API tokens · POST — create one (its value is shown once)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { createApiToken, listApiTokens } from '@/lib/tokens/tokens';
import { ZTokenCreate } from '@/lib/tokens/schemas';

export const GET = withApi({ role: 'viewer' }, ({ user }) => listApiTokens(db(), user));
export const POST = withApi({ role: 'viewer', body: ZTokenCreate, status: 201 }, ({ user, body }) =>
  createApiToken(db(), user, body),
);
