/** Shapes of the plugin API's input, shared by the route, the CLI and (later) the page. */
import { z } from 'zod';
import { PLUGIN_PACKAGE_MAX_BYTES, ZPluginName } from '@/lib/plugins/package';

/** POST /api/config/plugins: the package file's text. Its size and content are checked by parsePluginPackage. */
export const ZPluginInstall = z
  .object({ package: z.string({ error: 'package must be the text of a .orchplugin file' }) })
  .strict();
export type TPluginInstall = z.infer<typeof ZPluginInstall>;

/**
 * The request body limit for an install. JSON-encoding the package as a string escapes every
 * quote, backslash and line break, which at most doubles printable text; the real limit (1 MiB
 * of package, answered 413 naming the package) is parsePluginPackage's.
 */
export const PLUGIN_INSTALL_MAX_BODY_BYTES = 2 * PLUGIN_PACKAGE_MAX_BYTES + 4 * 1024;

export const ZPluginParams = z.object({ name: ZPluginName });
export const ZPluginSwitch = z.object({ enabled: z.boolean({ error: 'enabled must be true or false' }) }).strict();
