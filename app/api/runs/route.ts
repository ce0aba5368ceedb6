// GET /api/runs?status=&workflow=&node=&limit= — runs, newest first
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { listRuns } from '@/lib/workflow/list-runs';
import { ZRunQuery } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', query: ZRunQuery }, ({ query }) => listRuns(db(), query));
