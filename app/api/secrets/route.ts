// GET /api/secrets — the workflow secrets: names, key id, who changed them when; never a value
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { listSecrets } from '@/lib/secrets/secrets';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: ACTION_ROLES.view }, () => listSecrets(db()));
