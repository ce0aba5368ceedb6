// DELETE /api/tokens/:id — revoke a token (its owner, or an admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { revokeApiToken } from '@/lib/tokens/tokens';

export const DELETE = withApi({ role: 'viewer' }, ({ user, params }) => revokeApiToken(db(), user, params.id));
