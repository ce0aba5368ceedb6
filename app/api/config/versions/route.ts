// GET /api/config/versions — every kept pushed configuration version, newest first, with what changed
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { listConfigHistory } from '@/lib/config/config-history';

export const GET = withApi({ role: ACTION_ROLES.view }, async () => ({ versions: await listConfigHistory(db()) }));
