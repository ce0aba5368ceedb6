// POST /api/cluster/join-preview — step 1 of a join: asks the seed and shows what this node would join; changes nothing
import { withApi } from '@/lib/api/with-api';
import { previewJoin } from '@/lib/join/preview-join';
import { ZJoinPreviewRequest } from '@/lib/join/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const POST = withApi({ role: 'admin', body: ZJoinPreviewRequest }, ({ body }) => previewJoin(nodeRuntime(), body));
