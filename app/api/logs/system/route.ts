// GET /api/logs/system?lines=&node= — the end of a member's system log: this node's own file, or
// another member's read through its advertised address with a short-lived peer token
import { withApi } from '@/lib/api/with-api';
import { serveSystemLog, ZMemberSystemLogQuery } from '@/lib/logs/serve-system-log';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'public', query: ZMemberSystemLogQuery }, ({ req, query }) => serveSystemLog(req, query));
