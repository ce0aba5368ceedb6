// GET /api/config/settings — this node's server settings, on disk and in force · PUT — change them (admin)
import { withApi } from '@/lib/api/with-api';
import { readServerSettings } from '@/lib/config/document';
import { SETTINGS_APPLY, updateServerSettings, ZServerSettingsUpdate } from '@/lib/config/update-server-settings';
import { nodeRuntime } from '@/lib/node/runtime';

async function view() {
  const runtime = nodeRuntime();
  const [onDisk, running] = await Promise.all([readServerSettings(runtime.dataDir), runtime.serverSettings()]);
  return { onDisk, running, apply: SETTINGS_APPLY };
}

export const GET = withApi({ role: 'viewer' }, view);
export const PUT = withApi({ role: 'admin', body: ZServerSettingsUpdate }, async ({ body }) => {
  await updateServerSettings(nodeRuntime().dataDir, body);
  return view();
});
