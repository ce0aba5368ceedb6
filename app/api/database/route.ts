// GET /api/database — facts about the database this node uses (never its password)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { readDatabaseView } from '@/lib/database/read-database-view';
import { serverEnv } from '@/lib/env';

export const GET = withApi({ role: ACTION_ROLES.view }, () =>
  readDatabaseView({
    databaseUrl: serverEnv().DATABASE_URL,
    mode: serverEnv().ORCH_DATABASE_MODE,
    dataDir: serverEnv().ORCH_DATA_DIR,
  }),
);
