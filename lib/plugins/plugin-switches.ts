/**
 * Uninstalling and disabling plugins on this node. A disabled plugin stays in the plugins
 * directory but is not loaded at start; the names are kept in `<dataDir>/config/disabled-plugins.json`
 * and are part of the configuration document, so a push carries them like any change and the
 * difference shows them. Both take effect at the next restart, as an install does.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { writeFileAtomic } from '@/lib/node/data-dir';
import {
  listInstalledPlugins,
  pluginsDir,
  readInstalledPlugins,
  type TInstalledPlugin,
  type TInstalledPlugins,
} from '@/lib/plugins/installed-plugins';
import { PLUGIN_FILE_EXTENSION, ZPluginName } from '@/lib/plugins/package';

export const DISABLED_PLUGINS_FILE = path.join('config', 'disabled-plugins.json');

const ZDisabledPlugins = z.array(ZPluginName).max(500);

/**
 * The names disabled on this node. A damaged list disables nothing: the plugins load and the
 * configuration document says they are enabled, so what runs and what is reported agree (and
 * the next enable/disable or push rewrites the list).
 */
export async function readDisabledPlugins(dataDir: string): Promise<Set<string>> {
  const file = path.join(dataDir, DISABLED_PLUGINS_FILE);
  if (!existsSync(file)) return new Set();
  try {
    return new Set(ZDisabledPlugins.parse(JSON.parse(await readFile(file, 'utf8'))));
  } catch {
    return new Set();
  }
}

export type TPluginsWithState = Omit<TInstalledPlugins, 'plugins'> & { plugins: (TInstalledPlugin & { enabled: boolean })[] };

/** The installed packages, each marked enabled or disabled. */
export async function readPluginsWithState(dataDir: string): Promise<TPluginsWithState> {
  const [installed, disabled] = await Promise.all([readInstalledPlugins(dataDir), readDisabledPlugins(dataDir)]);
  return { ...installed, plugins: installed.plugins.map((plugin) => ({ ...plugin, enabled: !disabled.has(plugin.name) })) };
}

export async function writeDisabledPlugins(dataDir: string, names: Iterable<string>): Promise<void> {
  const sorted = [...new Set(names)].sort();
  const file = path.join(dataDir, DISABLED_PLUGINS_FILE);
  if (sorted.length === 0) await rm(file, { force: true });
  else await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

async function requireInstalled(dataDir: string, name: string): Promise<void> {
  const installed = await listInstalledPlugins(dataDir);
  if (!installed.some((plugin) => plugin.name === name))
    throw new AppError('NOT_FOUND', `no plugin named ${name} is installed on this node`, { field: 'name' });
}

export async function setPluginEnabled(
  dataDir: string,
  name: string,
  enabled: boolean,
): Promise<{ name: string; enabled: boolean }> {
  await requireInstalled(dataDir, name);
  const disabled = await readDisabledPlugins(dataDir);
  if (enabled) disabled.delete(name);
  else disabled.add(name);
  await writeDisabledPlugins(dataDir, disabled);
  return { name, enabled };
}

/** Removes the package file (and its disabled mark); the running node keeps it loaded until it restarts. */
export async function uninstallPlugin(dataDir: string, name: string): Promise<{ name: string; uninstalled: true }> {
  await requireInstalled(dataDir, name);
  await rm(path.join(pluginsDir(dataDir), `${name}${PLUGIN_FILE_EXTENSION}`), { force: true });
  const disabled = await readDisabledPlugins(dataDir);
  if (disabled.delete(name)) await writeDisabledPlugins(dataDir, disabled);
  return { name, uninstalled: true };
}
