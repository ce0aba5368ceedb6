// GET /api/schedules — the workflow schedules with their next fire times and last firing
// POST /api/schedules — add one: { workflow, cron + timeZone | everySeconds, inputs, misfire, catchUpSeconds, overlap, paused }
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { createSchedule, listSchedules, ZScheduleCreate } from '@/lib/workflow/schedules';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: ACTION_ROLES.view }, () => listSchedules(db()));
export const POST = withApi({ role: ACTION_ROLES.manageSchedules, body: ZScheduleCreate, status: 201 }, ({ body, user }) =>
  createSchedule(db(), body, user.name),
);
