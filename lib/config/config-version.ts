/**
 * A pushed configuration version as read from the database (config_version). Every node writes
 * what it names into its data directory, so a row is untrusted input until it passes this
 * schema: names by the install rule, hashes, sizes, settings within their ranges, and a
 * fingerprint that matches its document. Anything else is refused with the field named.
 */
import { z, type ZodError } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { ZConfigFiles, ZSha256, type TConfigFile } from '@/lib/config/config-files';
import { configFingerprint, ZServerSettings, type TConfigDocument } from '@/lib/config/document';
import { PLUGIN_PACKAGE_MAX_BYTES, ZPluginName, ZPluginVersion } from '@/lib/plugins/package';
import { ZTrustedCas } from '@/lib/config/trusted-cas';

/** a certificate or its key in PEM: a few kilobytes; far more is not a certificate */
export const PEM_FILE_MAX_BYTES = 64 * 1024;

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const ZConfigDocument = z
  .object({
    plugins: z
      .array(
        z.object({ name: ZPluginName, version: ZPluginVersion, sha256: ZSha256, disabled: z.literal(true).optional() }).strict(),
      )
      .max(500, 'must list at most 500 plugins'),
    certificate: z
      .object({ fingerprint: text(200), subject: text(2_000), sans: z.array(text(500)).max(100), notAfter: text(100) })
      .strict()
      .nullable(),
    settings: ZServerSettings,
    trustedCas: ZTrustedCas.optional(),
  })
  .strict();

export const ZConfigVersionRow = z.object({
  version: z.number().int().positive(),
  fingerprint: ZSha256,
  document: ZConfigDocument,
  files: ZConfigFiles,
});

export type TConfigVersion = { version: number; fingerprint: string; document: TConfigDocument; files: TConfigFile[] };

function describeIssue(error: ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue.path.join('.') || '(root)';
  return { field, message: `${field} ${issue.message}` };
}

/** The row checked, or an AppError naming the first field that is wrong. */
export function parseConfigVersion(row: {
  version: unknown;
  fingerprint: unknown;
  document: unknown;
  files: unknown;
}): TConfigVersion {
  const parsed = ZConfigVersionRow.safeParse(row);
  const label = `configuration version ${typeof row.version === 'number' ? row.version : '?'}`;
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new AppError('VALIDATION', `${label} is refused: ${message}`, { field });
  }
  const { version, fingerprint, document, files } = parsed.data;
  if (configFingerprint(document) !== fingerprint) {
    throw new AppError('VALIDATION', `${label} is refused: its fingerprint is not the SHA-256 of its document`, {
      field: 'fingerprint',
    });
  }
  const named = new Set(files.filter((file) => file.kind === 'plugin').map((file) => `${file.name} ${file.sha256}`));
  const missing = document.plugins.find((plugin) => !named.has(`${plugin.name} ${plugin.sha256}`));
  if (missing)
    throw new AppError('VALIDATION', `${label} is refused: plugin ${missing.name} has no file with its SHA-256`, {
      field: 'files',
    });
  return { version, fingerprint, document, files };
}

/** The most a file of KIND may weigh: a plugin as much as an install accepts, a PEM file a few kilobytes. */
export function maxFileBytes(file: TConfigFile): number {
  return file.kind === 'plugin' ? PLUGIN_PACKAGE_MAX_BYTES : PEM_FILE_MAX_BYTES;
}
