// DELETE /api/config/trusted-cas/[name] — remove a trusted CA certificate from this node (admin); push to remove it everywhere
import { z } from 'zod';
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { removeTrustedCa, ZTrustedCaName } from '@/lib/config/trusted-cas';
import { nodeRuntime } from '@/lib/node/runtime';

const ZParams = z.object({
  name: z
    .string()
    .transform((name) => decodeURIComponent(name))
    .pipe(ZTrustedCaName),
});

export const DELETE = withApi({ role: ACTION_ROLES.manageTrustedCas, params: ZParams }, ({ params }) =>
  removeTrustedCa(nodeRuntime().dataDir, params.name),
);
