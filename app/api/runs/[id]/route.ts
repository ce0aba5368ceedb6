// GET /api/runs/[id] — a run with its variables, events and element timeline (node and epoch of each)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { getRun } from '@/lib/workflow/get-run';
import { ZRunId } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', params: ZRunId }, ({ params }) => getRun(db(), params.id));
