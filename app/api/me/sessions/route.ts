// DELETE /api/me/sessions — sign out everywhere: every console session of the caller ends, on every node
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { signOutEverywhere } from '@/lib/auth/sessions';

export const DELETE = withApi({ role: 'viewer' }, ({ user }) => signOutEverywhere(db(), user.id));
