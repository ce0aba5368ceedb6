// POST /api/runs/[id]/cancel — end a run that has not finished and free its locks (operator; 409 when finished)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { cancelRun } from '@/lib/workflow/cancel-run';
import { ZRunId } from '@/lib/workflow/schemas';

export const POST = withApi({ role: 'operator', params: ZRunId }, ({ params, user }) => cancelRun(db(), params.id, user.name));
