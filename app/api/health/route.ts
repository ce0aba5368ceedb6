// GET /api/health — this node's id, state and epoch; no sign-in (for load balancers)
import { withApi } from '@/lib/api/with-api';
import { readHealth } from '@/lib/cluster/health';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'public' }, () => readHealth());
