/**
 * The files a pushed configuration names, and where each lives in a node's data directory.
 * Their contents are in config_blob, by SHA-256.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { certificateFiles } from '@/lib/tls/certificate-files';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { PLUGIN_FILE_EXTENSION } from '@/lib/plugins/package';

export const ZConfigFile = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plugin'), name: z.string(), sha256: z.string() }),
  z.object({ kind: z.literal('certificate'), sha256: z.string() }),
  z.object({ kind: z.literal('private-key'), sha256: z.string() }),
]);
export type TConfigFile = z.infer<typeof ZConfigFile>;
export const ZConfigFiles = z.array(ZConfigFile);

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function configFilePath(dataDir: string, file: TConfigFile): string {
  switch (file.kind) {
    case 'plugin':
      return path.join(pluginsDir(dataDir), `${file.name}${PLUGIN_FILE_EXTENSION}`);
    case 'certificate':
      return certificateFiles(dataDir).certificate;
    case 'private-key':
      return certificateFiles(dataDir).privateKey;
  }
}
