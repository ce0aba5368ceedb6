/**
 * The plugin packages installed on this node: `<dataDir>/plugins/<name>.orchplugin`, each the
 * package file exactly as it was installed (so its SHA-256 is the package's). Installing only
 * writes the file; the running node keeps the plugins it loaded at start until it restarts.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, isAppError } from '@/lib/api/app-error';
import { writeFileAtomic } from '@/lib/node/data-dir';
import {
  packageSha256,
  parsePluginPackage,
  PLUGIN_FILE_EXTENSION,
  type TPluginAction,
  type TPluginPackage,
} from '@/lib/plugins/package';

export type TInstalledPlugin = {
  name: string;
  version: string;
  sha256: string;
  description: string;
  actions: TPluginAction[];
};

/** A file in the plugins directory that is not a valid package: skipped, and said why. */
export type TPluginFileError = { file: string; message: string };

export type TInstalledPlugins = { plugins: TInstalledPlugin[]; errors: TPluginFileError[] };

const PLUGINS_DIR = 'plugins';

export function pluginsDir(dataDir: string): string {
  return path.join(dataDir, PLUGINS_DIR);
}

function pluginFile(dataDir: string, name: string): string {
  return path.join(pluginsDir(dataDir), `${name}${PLUGIN_FILE_EXTENSION}`);
}

function describeInstalled(pkg: TPluginPackage, text: string): TInstalledPlugin {
  const { name, version, description, actions } = pkg.manifest;
  return { name, version, sha256: packageSha256(text), description, actions };
}

// installs into one data directory one at a time, so that two uploads of the same version
// cannot both pass the "already installed" check
const installQueues = new Map<string, Promise<void>>();

function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = installQueues.get(key) ?? Promise.resolve();
  const next = previous.then(work);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  installQueues.set(key, settled);
  void settled.then(() => {
    if (installQueues.get(key) === settled) installQueues.delete(key);
  });
  return next;
}

/**
 * Checks the package and writes it to the plugins directory. The same name and version already
 * installed is a CONFLICT; another version of the same name replaces it (an upgrade or a
 * rollback). A file on disk that is not a valid package is replaced.
 */
export async function installPlugin(dataDir: string, text: string): Promise<TInstalledPlugin> {
  const pkg = parsePluginPackage(text);
  const { name, version } = pkg.manifest;
  return serialized(path.resolve(dataDir), async () => {
    const installed = await readInstalledPackage(pluginFile(dataDir, name));
    if (installed?.manifest.version === version) {
      throw new AppError('CONFLICT', `${name} ${version} is already installed`, { field: 'manifest.version' });
    }
    await mkdir(pluginsDir(dataDir), { recursive: true, mode: 0o700 });
    await writeFileAtomic(pluginFile(dataDir, name), text);
    return describeInstalled(pkg, text);
  });
}

/** The package in FILE, or undefined when there is none or it is not a valid package. */
async function readInstalledPackage(file: string): Promise<TPluginPackage | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return parsePluginPackage(text);
  } catch (error) {
    if (isAppError(error)) return undefined;
    throw error;
  }
}

/**
 * Every package in the plugins directory, sorted by name. A file that is not a valid package
 * does not hide the others: it is left out of `plugins` and reported in `errors`.
 */
export async function readInstalledPlugins(dataDir: string): Promise<TInstalledPlugins> {
  let entries: string[];
  try {
    entries = await readdir(pluginsDir(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { plugins: [], errors: [] };
    throw error;
  }
  const plugins: TInstalledPlugin[] = [];
  const errors: TPluginFileError[] = [];
  // writeFileAtomic's temporary files end in .tmp, so a half-written package is never listed
  for (const entry of entries.filter((name) => name.endsWith(PLUGIN_FILE_EXTENSION)).sort()) {
    const file = `${PLUGINS_DIR}/${entry}`;
    let text: string;
    try {
      text = await readFile(path.join(pluginsDir(dataDir), entry), 'utf8');
    } catch (error) {
      errors.push({ file, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      continue;
    }
    try {
      const pkg = parsePluginPackage(text);
      const expected = entry.slice(0, -PLUGIN_FILE_EXTENSION.length);
      if (pkg.manifest.name !== expected) {
        errors.push({
          file,
          message: `holds the plugin ${pkg.manifest.name}; a plugin's file is named after it (${pkg.manifest.name}${PLUGIN_FILE_EXTENSION})`,
        });
        continue;
      }
      plugins.push(describeInstalled(pkg, text));
    } catch (error) {
      if (!isAppError(error)) throw error;
      errors.push({ file, message: error.message });
    }
  }
  plugins.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { plugins, errors };
}

/** The valid packages in the plugins directory, sorted by name (invalid files are left out). */
export async function listInstalledPlugins(dataDir: string): Promise<TInstalledPlugin[]> {
  return (await readInstalledPlugins(dataDir)).plugins;
}
