// DELETE /api/cluster/nodes/:id — remove a node that is not responding (its id is tombstoned)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { removeNode } from '@/lib/cluster/remove-node';
import { ZNodeParams } from '@/lib/cluster/node-params';

export const DELETE = withApi({ role: 'operator', params: ZNodeParams }, ({ params, user }) => removeNode(db(), params.id, user.name));
