// PUT /api/cluster/settings — heartbeat interval, failover heartbeats, active nodes (admin; 409 when stale)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { ZSettingsUpdate } from '@/lib/cluster/settings';
import { updateSettings } from '@/lib/cluster/update-settings';

export const PUT = withApi({ role: 'admin', body: ZSettingsUpdate }, ({ body, user }) => updateSettings(db(), body, user.name));
