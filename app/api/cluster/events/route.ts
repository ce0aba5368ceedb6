// GET /api/cluster/events?node=&kind=&limit= — the cluster's event timeline, newest first
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { listEvents, ZEventQuery } from '@/lib/cluster/events';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', query: ZEventQuery }, ({ query }) => listEvents(db(), query));
