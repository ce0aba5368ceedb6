// GET /api/logs/system?lines= — the end of THIS node's system log (each node has its own file)
import { withApi } from '@/lib/api/with-api';
import { nodeRuntime } from '@/lib/node/runtime';
import { readSystemLog } from '@/lib/workflow/read-system-log';
import { ZSystemLogQuery } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', query: ZSystemLogQuery }, ({ query }) => readSystemLog(nodeRuntime().dataDir, query));
