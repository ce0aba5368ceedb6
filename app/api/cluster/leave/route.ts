// POST /api/cluster/leave — this node leaves its cluster and restarts on its built-in database
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { leaveCluster } from '@/lib/join/leave-cluster';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'admin', status: 202 }, ({ user }) => leaveCluster(db(), nodeRuntime(), user.name));
