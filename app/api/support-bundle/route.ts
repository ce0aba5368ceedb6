// POST /api/support-bundle — a tar.gz of every live member's system log, the events, configuration and database facts, secrets redacted (admin)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { buildSupportBundle } from '@/lib/support/support-bundle';

export const POST = withApi({ role: ACTION_ROLES.supportBundle }, ({ user }) => buildSupportBundle(db(), user.role));
