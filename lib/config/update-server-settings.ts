/**
 * Changes this node's server settings on disk. Hot settings take effect at once; the others
 * when the node restarts (it shows pending restart until then). Like a plugin install, the
 * change is local until someone pushes it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readServerSettings, SERVER_SETTINGS, SETTINGS_FILE, ZServerSettings, type TServerSettings } from '@/lib/config/document';
import { writeFileAtomic } from '@/lib/node/data-dir';
import { setLogLevel } from '@/lib/node/log';

export const ZServerSettingsUpdate = ZServerSettings.partial().strict();
export type TServerSettingsUpdate = z.infer<typeof ZServerSettingsUpdate>;

export type TServerSettingsView = {
  /** on disk: what a restart loads */
  onDisk: TServerSettings;
  /** in force in the running process */
  running: TServerSettings;
  apply: Record<keyof TServerSettings, 'hot' | 'restart'>;
};

export const SETTINGS_APPLY = Object.fromEntries(
  Object.entries(SERVER_SETTINGS).map(([key, value]) => [key, value.apply]),
) as TServerSettingsView['apply'];

export async function updateServerSettings(dataDir: string, update: TServerSettingsUpdate): Promise<TServerSettings> {
  const next = ZServerSettings.parse({ ...(await readServerSettings(dataDir)), ...update });
  await mkdir(path.join(dataDir, path.dirname(SETTINGS_FILE)), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(dataDir, SETTINGS_FILE), `${JSON.stringify(next, null, 2)}\n`);
  // a hot setting: the process log and the system log follow it at once
  setLogLevel(next.logLevel);
  return next;
}
