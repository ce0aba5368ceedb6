// POST /api/database/test — run the checks on a connection string (admin); the body is never echoed, logged or audited
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { testDatabaseForCluster, ZDatabaseTest } from '@/lib/database/test-database';

export const POST = withApi({ role: ACTION_ROLES.testDatabase, body: ZDatabaseTest, maxBodyBytes: 8 * 1024 }, ({ body }) =>
  testDatabaseForCluster(db(), body.url),
);
