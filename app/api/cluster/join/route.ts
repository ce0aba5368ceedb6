// POST /api/cluster/join — this (standalone) node joins the cluster of a seed node, then restarts
import { withApi } from '@/lib/api/with-api';
import { joinCluster } from '@/lib/join/join-cluster';
import { ZJoinRequest } from '@/lib/join/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'admin', body: ZJoinRequest, status: 202 }, ({ body }) => joinCluster(nodeRuntime(), body));
