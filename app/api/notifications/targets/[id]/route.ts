// DELETE /api/notifications/targets/:id — remove a target and its delivery log (admin)
import { z } from 'zod';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { deleteTarget } from '@/lib/notify/targets';

const ZParams = z.object({ id: z.string().uuid('id must be a target id') });
export const DELETE = withApi({ role: 'admin', params: ZParams }, ({ params }) => deleteTarget(db(), params.id));
