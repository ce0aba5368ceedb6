// GET /api/cluster/nodes/:id/configuration — the node's configuration against the reference, field by field
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZNodeParams } from '@/lib/cluster/node-params';
import { readNodeConfiguration } from '@/lib/config/read-node-configuration';

export const GET = withApi({ role: 'viewer', params: ZNodeParams }, ({ params }) => readNodeConfiguration(db(), params.id));
