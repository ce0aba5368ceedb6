/**
 * `orchctl plugin install` and `orchctl plugin list`. Installing writes the package into the
 * node's data directory; the node loads it at its next restart.
 */
import { readFile, stat } from 'node:fs/promises';
import type { TInstalledPlugin } from '@/lib/plugins/installed-plugins';
import type { TPluginsWithState } from '@/lib/plugins/plugin-switches';
import { PLUGIN_PACKAGE_MAX_BYTES } from '@/lib/plugins/package';
import type { TPluginInstall } from '@/lib/plugins/schemas';
import { callApi, CliError } from './api-client';
import { formatTable, type TNodeCommandOptions } from './cluster-view';

export type TPluginListOptions = TNodeCommandOptions & { json?: boolean };

/** The package file's text; refused here already when it is larger than any node accepts. */
async function readPackageFile(file: string): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > PLUGIN_PACKAGE_MAX_BYTES)
      throw new CliError(`${file} is ${size} bytes; a plugin package is at most ${PLUGIN_PACKAGE_MAX_BYTES} bytes (1 MiB)`);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export async function installPluginFile(options: TNodeCommandOptions, file: string): Promise<void> {
  const body: TPluginInstall = { package: await readPackageFile(file) };
  const installed = await callApi<TInstalledPlugin>(options.url, '/api/config/plugins', {
    user: options.user,
    password: options.password,
    method: 'POST',
    body,
  });
  console.log(`installed ${installed.name} ${installed.version} (sha256 ${installed.sha256}); the node uses it after a restart`);
}

export async function printPlugins(options: TPluginListOptions): Promise<void> {
  const installed = await callApi<TPluginsWithState>(options.url, '/api/config/plugins', options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(installed, null, 2)}\n`);
    return;
  }
  if (installed.plugins.length === 0) console.log('no plugins installed');
  else {
    const rows = installed.plugins.map((plugin) => [
      plugin.name,
      plugin.version,
      plugin.enabled ? 'enabled' : 'disabled',
      plugin.actions.map((action) => action.name).join(', '),
      plugin.sha256.slice(0, 12),
    ]);
    console.log(formatTable(['NAME', 'VERSION', 'STATE', 'ACTIONS', 'SHA256'], rows));
  }
  // files the node skips are worth knowing about, but the listing itself succeeded
  for (const error of installed.errors) process.stderr.write(`orchctl: warning: ${error.file} is skipped: ${error.message}\n`);
}

/** `orchctl plugin uninstall|disable|enable --url U NAME`: a local change on node U, pushed like an install. */
export async function changePlugin(
  options: TNodeCommandOptions,
  name: string,
  change: 'uninstall' | 'disable' | 'enable',
): Promise<void> {
  const route = `/api/config/plugins/${encodeURIComponent(name)}`;
  if (change === 'uninstall') await callApi(options.url, route, { ...options, method: 'DELETE' });
  else await callApi(options.url, route, { ...options, method: 'PUT', body: { enabled: change === 'enable' } });
  const done = change === 'uninstall' ? 'uninstalled' : `${change}d`;
  console.log(
    `${name} ${done} on this node; it takes effect after a restart; push the configuration to give the change to the other nodes`,
  );
}
