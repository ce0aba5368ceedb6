// GET /api/cluster — settings, nodes and their states as this node sees them
import { withApi } from '@/lib/api/with-api';
import { readClusterStatus } from '@/lib/cluster/status';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer' }, () => readClusterStatus());
