/**
 * A node's configuration document: its installed plugins, its certificate and its server
 * settings. The fingerprint is the SHA-256 of the document's canonical JSON (keys sorted at
 * every level), so equal configurations have equal fingerprints on every node.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { listInstalledPlugins } from '@/lib/plugins/installed-plugins';
import { readDisabledPlugins } from '@/lib/plugins/plugin-switches';
import { readTrustedCas, type TTrustedCa } from '@/lib/config/trusted-cas';
import { certificateFiles } from '@/lib/tls/certificate-files';
import { describeCertificate } from '@/lib/tls/describe-certificate';

/** Server settings, each marked as taking effect at once or only after a restart. */
export const SERVER_SETTINGS = {
  logLevel: { apply: 'hot', description: 'log level of the system log' },
  maxConcurrentRuns: { apply: 'restart', description: 'workflow runs this node executes at once' },
  runRetentionDays: { apply: 'hot', description: 'days finished runs and their logs are kept' },
  auditRetentionDays: { apply: 'hot', description: 'days audit log entries are kept' },
  eventRetentionDays: { apply: 'hot', description: 'days cluster events and notification deliveries are kept' },
  configVersionsKept: { apply: 'hot', description: 'pushed configuration versions kept (the newest is the reference)' },
} as const;

export const ZServerSettings = z
  .object({
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    maxConcurrentRuns: z.number().int().min(1).max(1000).default(10),
    runRetentionDays: z.number().int().min(1).max(3650).default(30),
    auditRetentionDays: z.number().int().min(1).max(3650).default(365),
    eventRetentionDays: z.number().int().min(1).max(3650).default(90),
    configVersionsKept: z.number().int().min(1).max(1000).default(20),
  })
  .strict();
export type TServerSettings = z.infer<typeof ZServerSettings>;

export type TCertificateSummary = { fingerprint: string; subject: string; sans: string[]; notAfter: string };

export type TConfigDocument = {
  /** `disabled`: kept on disk, not loaded (absent when enabled, so older fingerprints stay the same) */
  plugins: { name: string; version: string; sha256: string; disabled?: true }[];
  certificate: TCertificateSummary | null;
  settings: TServerSettings;
  /** trusted CA certificates for workflow HTTP elements; absent when there are none (so older fingerprints stay the same) */
  trustedCas?: TTrustedCa[];
};

/** The settings that take effect without a restart. */
export function hotSettings(settings: TServerSettings): Partial<TServerSettings> {
  return Object.fromEntries(
    Object.entries(settings).filter(([key]) => SERVER_SETTINGS[key as keyof TServerSettings].apply === 'hot'),
  );
}

/** JSON with object keys sorted at every level: one text for one value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configFingerprint(document: TConfigDocument): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

export const SETTINGS_FILE = path.join('config', 'settings.json');

export async function readServerSettings(dataDir: string): Promise<TServerSettings> {
  const file = path.join(dataDir, SETTINGS_FILE);
  return ZServerSettings.parse(existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {});
}

/** The configuration on disk now (what this node would load if it started now). */
export async function readLocalConfig(dataDir: string): Promise<TConfigDocument> {
  const [plugins, disabled, settings, certificate, trustedCas] = await Promise.all([
    listInstalledPlugins(dataDir),
    readDisabledPlugins(dataDir),
    readServerSettings(dataDir),
    readCertificateSummary(dataDir),
    readTrustedCas(dataDir),
  ]);
  return {
    plugins: plugins
      .map(({ name, version, sha256 }) =>
        disabled.has(name) ? { name, version, sha256, disabled: true as const } : { name, version, sha256 },
      )
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    certificate,
    settings,
    ...(trustedCas.length > 0 ? { trustedCas } : {}),
  };
}

/** What the document records of the certificate on disk: enough to see that it changed, and when it expires. */
export async function readCertificateSummary(dataDir: string): Promise<TCertificateSummary | null> {
  const file = certificateFiles(dataDir).certificate;
  if (!existsSync(file)) return null;
  try {
    const { fingerprint, subject, sans, notAfter } = describeCertificate(await readFile(file, 'utf8'));
    return { fingerprint, subject, sans, notAfter };
  } catch {
    // an unreadable file is a configuration too: it differs from every valid one
    return { fingerprint: 'INVALID', subject: '', sans: [], notAfter: '' };
  }
}
