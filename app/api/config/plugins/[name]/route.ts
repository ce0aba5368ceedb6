// PUT /api/config/plugins/:name — enable or disable a plugin on this node (admin) · DELETE — uninstall it (admin); both take effect at the next restart, and are pushed like any change
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { setPluginEnabled, uninstallPlugin } from '@/lib/plugins/plugin-switches';
import { ZPluginParams, ZPluginSwitch } from '@/lib/plugins/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const PUT = withApi({ role: ACTION_ROLES.disablePlugin, params: ZPluginParams, body: ZPluginSwitch }, ({ params, body }) =>
  setPluginEnabled(nodeRuntime().dataDir, params.name, body.enabled),
);
export const DELETE = withApi({ role: ACTION_ROLES.uninstallPlugin, params: ZPluginParams }, ({ params }) =>
  uninstallPlugin(nodeRuntime().dataDir, params.name),
);
