// GET /api/me — the signed-in user
import { withApi } from '@/lib/api/with-api';

export const GET = withApi({ role: 'viewer' }, ({ user }) => ({ id: user.id, name: user.name, role: user.role }));
