/**
 * The files a pushed configuration names, and where each lives in a node's data directory.
 * Their contents are in config_blob, by SHA-256. The list comes from the database, which other
 * nodes (or anyone with write access to it) fill: a plugin file is named by the same rule as an
 * install (ZPluginName), so no name can reach outside the plugins folder.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { certificateFiles } from '@/lib/tls/certificate-files';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { PLUGIN_FILE_EXTENSION, ZPluginName } from '@/lib/plugins/package';

/** more plugins than any cluster installs, few enough that a hostile list cannot exhaust memory */
export const CONFIG_FILES_MAX = 500;

export const ZSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in 64 lowercase hex digits');

export const ZConfigFile = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plugin'), name: ZPluginName, sha256: ZSha256 }).strict(),
  z.object({ kind: z.literal('certificate'), sha256: ZSha256 }).strict(),
  z.object({ kind: z.literal('private-key'), sha256: ZSha256 }).strict(),
]);
export type TConfigFile = z.infer<typeof ZConfigFile>;
export const ZConfigFiles = z
  .array(ZConfigFile)
  .max(CONFIG_FILES_MAX, `must name at most ${CONFIG_FILES_MAX} files`)
  .superRefine((files, ctx) => {
    const seen = new Set<string>();
    files.forEach((file, index) => {
      const key = file.kind === 'plugin' ? `plugin ${file.name}` : file.kind;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `${key} is named twice` });
      seen.add(key);
    });
  });

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function configFilePath(dataDir: string, file: TConfigFile): string {
  switch (file.kind) {
    case 'plugin':
      // checked again here, whoever built FILE: this path is written to
      return path.join(pluginsDir(dataDir), `${ZPluginName.parse(file.name)}${PLUGIN_FILE_EXTENSION}`);
    case 'certificate':
      return certificateFiles(dataDir).certificate;
    case 'private-key':
      return certificateFiles(dataDir).privateKey;
  }
}
