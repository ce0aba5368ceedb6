// POST /api/workflows/[name]/runs — start a run of the latest version with { inputs } (operator)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZRunStart, ZWorkflowNameParam } from '@/lib/workflow/schemas';
import { startRun } from '@/lib/workflow/start-run';

export const POST = withApi(
  { role: 'operator', params: ZWorkflowNameParam, body: ZRunStart, status: 201 },
  ({ params, body, user }) => startRun(db(), params.name, body, user.name),
);
