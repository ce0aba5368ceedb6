// POST /api/runs/[id]/resume — a run WAITING after a failure: set { variables } and go on at the failed element (operator)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { resumeRun } from '@/lib/workflow/resume-run';
import { ZRunId, ZRunResume } from '@/lib/workflow/schemas';

export const POST = withApi({ role: ACTION_ROLES.runWorkflows, params: ZRunId, body: ZRunResume }, ({ params, body, user }) =>
  resumeRun(db(), params.id, body, user.name),
);
