// GET /api/runs/[id]/logs — the run's server log (in the database: the same on every node)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { listRunLogs } from '@/lib/workflow/list-run-logs';
import { ZRunId } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', params: ZRunId }, ({ params }) => listRunLogs(db(), params.id));
