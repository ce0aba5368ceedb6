// PUT /api/cluster/settings — heartbeat interval, failover heartbeats, active nodes (admin; 409 when stale)
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZSettingsUpdate } from '@/lib/cluster/settings';
import { updateSettings } from '@/lib/cluster/update-settings';

export const PUT = withApi({ role: ACTION_ROLES.changeClusterSettings, body: ZSettingsUpdate }, ({ body, user }) =>
  updateSettings(db(), body, user.name),
);
