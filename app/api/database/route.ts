// GET /api/database — facts about the database this node uses (never its password)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { showDatabase } from '@/lib/database/show-database';
import { serverEnv } from '@/lib/env';

export const GET = withApi({ role: ACTION_ROLES.view }, () =>
  showDatabase({ databaseUrl: serverEnv().DATABASE_URL, mode: serverEnv().ORCH_DATABASE_MODE }),
);
