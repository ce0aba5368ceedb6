// GET /api/config/versions/compare?from=A&to=B — the field-level difference between two pushed versions
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { compareConfigVersions } from '@/lib/config/config-history';
import { ZCompareQuery } from '@/lib/config/schemas';

export const GET = withApi({ role: ACTION_ROLES.view, query: ZCompareQuery }, ({ query }) =>
  compareConfigVersions(db(), query.from, query.to),
);
