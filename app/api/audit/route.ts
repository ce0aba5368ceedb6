// GET /api/audit — the audit log of operator actions, newest first (operators and admins)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { listAudit, ZAuditQuery } from '@/lib/audit/list-audit';

export const GET = withApi({ role: 'operator', query: ZAuditQuery }, ({ query }) => listAudit(db(), query));
