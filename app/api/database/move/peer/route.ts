// POST /api/database/move/peer — another member asks this one to test and keep (or drop) a move's URL; authenticates itself with a peer token
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { answerMovePeer, ZDatabaseMovePeer } from '@/lib/database/move-database';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'public', body: ZDatabaseMovePeer, maxBodyBytes: 8 * 1024 }, ({ req, body }) =>
  answerMovePeer(nodeRuntime(), db(), req.headers.get('authorization'), body),
);
