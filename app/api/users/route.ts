// GET /api/users — list users · POST /api/users — create one (admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { createUser, listUsers } from '@/lib/users/users';
import { ZUserCreate } from '@/lib/users/schemas';

export const GET = withApi({ role: 'viewer' }, () => listUsers(db()));
export const POST = withApi({ role: 'admin', body: ZUserCreate, status: 201 }, ({ body }) => createUser(db(), body));
