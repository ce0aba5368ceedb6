// GET /api/config/plugins — the plugin packages installed on this node · POST — install one (admin); used after a restart
import { withApi } from '@/lib/api/with-api';
import { installPlugin } from '@/lib/plugins/installed-plugins';
import { readPluginsWithState } from '@/lib/plugins/plugin-switches';
import { PLUGIN_INSTALL_MAX_BODY_BYTES, ZPluginInstall } from '@/lib/plugins/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const GET = withApi({ role: 'viewer' }, () => readPluginsWithState(nodeRuntime().dataDir));
export const POST = withApi(
  { role: 'admin', body: ZPluginInstall, status: 201, maxBodyBytes: PLUGIN_INSTALL_MAX_BODY_BYTES },
  ({ body }) => installPlugin(nodeRuntime().dataDir, body.package),
);
