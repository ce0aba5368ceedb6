// GET /api/notifications/deliveries?target=&limit= — the delivery log, newest first, with attempts (admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZDeliveryQuery } from '@/lib/notify/schemas';
import { listDeliveries } from '@/lib/notify/targets';

export const GET = withApi({ role: 'admin', query: ZDeliveryQuery }, ({ query }) => listDeliveries(db(), query));
