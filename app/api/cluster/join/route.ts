// POST /api/cluster/join — step 2: this (standalone) node joins the previewed cluster the administrator confirmed, then restarts
import { withApi } from '@/lib/api/with-api';
import { joinCluster } from '@/lib/join/join-cluster';
import { ZJoinConfirm } from '@/lib/join/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'admin', body: ZJoinConfirm, status: 202 }, ({ body }) => joinCluster(nodeRuntime(), body));
