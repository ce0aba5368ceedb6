// GET /api/config/validate — validate configuration: the whole cluster's set-up checked from this node (operator)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { validateFromThisNode } from '@/lib/validate/validate-cluster';

export const GET = withApi({ role: ACTION_ROLES.validateConfiguration }, ({ user }) => validateFromThisNode(db(), user.role));
