// GET /api/config/plugins — the plugin packages installed on this node · POST — install one (admin); used after a restart
import { withApi } from '@/lib/api/with-api';
import { installPlugin, readInstalledPlugins } from '@/lib/plugins/installed-plugins';
import { PLUGIN_INSTALL_MAX_BODY_BYTES, ZPluginInstall } from '@/lib/plugins/schemas';
import { nodeRuntime } from '@/lib/node/runtime';

export const GET = withApi({ role: 'viewer' }, () => readInstalledPlugins(nodeRuntime().dataDir));
export const POST = withApi(
  { role: 'admin', body: ZPluginInstall, status: 201, maxBodyBytes: PLUGIN_INSTALL_MAX_BODY_BYTES },
  ({ body }) => installPlugin(nodeRuntime().dataDir, body.package),
);
