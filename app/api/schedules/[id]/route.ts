// GET /api/schedules/[id] — one schedule; PATCH { paused } — pause or resume it; DELETE — remove it (its runs stay)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { deleteSchedule, getSchedule, setSchedulePaused, ZScheduleId, ZScheduleUpdate } from '@/lib/workflow/schedules';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: ACTION_ROLES.view, params: ZScheduleId }, ({ params }) => getSchedule(db(), params.id));
export const PATCH = withApi(
  { role: ACTION_ROLES.manageSchedules, params: ZScheduleId, body: ZScheduleUpdate },
  ({ params, body }) => setSchedulePaused(db(), params.id, body.paused),
);
export const DELETE = withApi({ role: ACTION_ROLES.manageSchedules, params: ZScheduleId }, ({ params }) =>
  deleteSchedule(db(), params.id),
);
