// GET /api/cluster — settings, nodes and their states as this node sees them
import { withApi } from '@/lib/api/with-api';
import { readClusterStatus } from '@/lib/cluster/status';
import { db } from '@/lib/db/client';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer' }, ({ user }) => readClusterStatus(db(), user.role));
