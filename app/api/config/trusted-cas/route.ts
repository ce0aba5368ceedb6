// GET /api/config/trusted-cas — this node's trusted CA certificates (for workflow HTTP elements)
// POST /api/config/trusted-cas — add or replace one by name: { name, pem } (admin); push the configuration to give it to every node
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { addTrustedCa, listTrustedCas, ZTrustedCa } from '@/lib/config/trusted-cas';
import { nodeRuntime } from '@/lib/node/runtime';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: ACTION_ROLES.view }, () => listTrustedCas(nodeRuntime().dataDir));
export const POST = withApi(
  { role: ACTION_ROLES.manageTrustedCas, body: ZTrustedCa, status: 201, maxBodyBytes: 32 * 1024 },
  ({ body }) => addTrustedCa(nodeRuntime().dataDir, body),
);
