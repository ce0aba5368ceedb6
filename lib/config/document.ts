/**
 * A node's configuration document: its installed plugins, its certificate and its server
 * settings. The fingerprint is the SHA-256 of the document's canonical JSON (keys sorted at
 * every level), so equal configurations have equal fingerprints on every node.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { listInstalledPlugins } from '@/lib/plugins/installed-plugins';

/** Server settings, each marked as taking effect at once or only after a restart. */
export const SERVER_SETTINGS = {
  logLevel: { apply: 'hot', description: 'log level of the system log' },
  maxConcurrentRuns: { apply: 'restart', description: 'workflow runs this node executes at once' },
  runRetentionDays: { apply: 'hot', description: 'days finished runs and their logs are kept' },
} as const;

export const ZServerSettings = z
  .object({
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    maxConcurrentRuns: z.number().int().min(1).max(1000).default(10),
    runRetentionDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict();
export type TServerSettings = z.infer<typeof ZServerSettings>;

export type TConfigDocument = {
  plugins: { name: string; version: string; sha256: string }[];
  certificate: { fingerprint: string; subject: string; sans: string[]; notAfter: string } | null;
  settings: TServerSettings;
};

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

const SETTINGS_FILE = path.join('config', 'settings.json');

export async function readServerSettings(dataDir: string): Promise<TServerSettings> {
  const file = path.join(dataDir, SETTINGS_FILE);
  return ZServerSettings.parse(existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {});
}

/**
 * The fingerprint of the configuration on disk now, read again only when the plugins folder or
 * the settings file changed (installs rename files into place, which touches the folder): it
 * is asked for on every heartbeat, and packages can be large.
 */
export function localConfigFingerprint(dataDir: string): () => Promise<string> {
  let cached: { key: string; fingerprint: string } | undefined;
  return async () => {
    const key = [path.join(dataDir, 'plugins'), path.join(dataDir, SETTINGS_FILE)]
      .map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0))
      .join('|');
    if (cached?.key !== key) cached = { key, fingerprint: configFingerprint(await readLocalConfig(dataDir)) };
    return cached.fingerprint;
  };
}

/** The configuration on disk now (what this node would load if it started now). */
export async function readLocalConfig(dataDir: string): Promise<TConfigDocument> {
  const [plugins, settings] = await Promise.all([listInstalledPlugins(dataDir), readServerSettings(dataDir)]);
  return {
    plugins: plugins.map(({ name, version, sha256 }) => ({ name, version, sha256 })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    // the cluster certificate and per-node certificates arrive with HTTPS serving
    certificate: null,
    settings,
  };
}
