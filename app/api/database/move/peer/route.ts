// POST /api/database/move/peer — another member asks this one to test and keep (or drop) a move's URL; authenticates itself with a peer token
import { withApi } from '@/lib/api/with-api';
import { answerMovePeer, ZDatabaseMovePeer } from '@/lib/database/move-database';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'public', body: ZDatabaseMovePeer, maxBodyBytes: 8 * 1024 }, ({ req, body }) =>
  answerMovePeer(nodeRuntime(), req.headers.get('authorization'), body),
);
