// PUT /api/secrets/[name] { value } — set a secret, sealed with the cluster key (admin); DELETE — remove it (admin)
import { withApi } from '@/lib/api/with-api';
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { nodeRuntime } from '@/lib/node/runtime';
import { deleteSecret, putSecret, ZSecretNameParam, ZSecretPut } from '@/lib/secrets/secrets';

export const PUT = withApi(
  { role: ACTION_ROLES.manageSecrets, params: ZSecretNameParam, body: ZSecretPut, maxBodyBytes: 32 * 1024 },
  ({ params, body, user }) => putSecret(db(), nodeRuntime().dataDir, params.name, body.value, user.name),
);
export const DELETE = withApi({ role: ACTION_ROLES.manageSecrets, params: ZSecretNameParam }, ({ params }) =>
  deleteSecret(db(), params.name),
);
