/**
 * Plugin actions for the "call plugin action" element. The node loads the packages in
 * `<dataDir>/plugins/` once, when the runner starts (an installed plugin is used after a restart,
 * docs/plugins.md). Each package's code runs in a `node:vm` context of its own with no require,
 * no process, no timers, and no code generation from strings; the inputs go in, and the result
 * comes out, as JSON text, so that no object of this realm (whose constructor would lead to this
 * realm's Function) ever reaches the plugin; the context's global is built on a null-prototype
 * object for the same reason. Microtasks run inside the evaluation
 * ("afterEvaluate"), so the timeout bounds an action's asynchronous work too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createContext, Script, type Context } from 'node:vm';
import { AppError, isAppError } from '@/lib/api/app-error';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { parsePluginPackage, PLUGIN_FILE_EXTENSION, type TPluginManifest } from '@/lib/plugins/package';

/**
 * An action runs on the runner's thread: it must be short. Half a second keeps even a runaway
 * action from delaying the node's heartbeat anywhere near its fence deadline.
 */
export const PLUGIN_ACTION_TIMEOUT_MS = 500;

type TLoadedPlugin = { manifest: TPluginManifest; context: Context };
export type TPluginSandbox = {
  call(plugin: string, action: string, inputs: Record<string, unknown>): unknown;
  /** files that could not be loaded, and why */
  errors: string[];
};

const CALL = new Script(`
  __result = undefined;
  (function () {
    const fn = module.exports[__action] ?? exports[__action];
    if (typeof fn !== 'function') { __result = { error: 'the plugin does not export the action ' + __action }; return; }
    Promise.resolve(fn(JSON.parse(__input))).then(
      (value) => { __result = { ok: JSON.stringify(value === undefined ? null : value) }; },
      (error) => { __result = { error: String(error && error.message ? error.message : error) }; },
    );
  })();
`);

function loadCode(code: string, name: string): Context {
  const context = createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate', name: `plugin ${name}` });
  new Script('var module = { exports: {} }; var exports = module.exports;').runInContext(context);
  new Script(code, { filename: `${name}.orchplugin` }).runInContext(context, { timeout: PLUGIN_ACTION_TIMEOUT_MS });
  return context;
}

export async function loadPluginSandbox(dataDir: string): Promise<TPluginSandbox> {
  const plugins = new Map<string, TLoadedPlugin>();
  const errors: string[] = [];
  let entries: string[] = [];
  try {
    entries = (await readdir(pluginsDir(dataDir))).filter((entry) => entry.endsWith(PLUGIN_FILE_EXTENSION));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(`plugins: ${(error as Error).message}`);
  }
  for (const entry of entries) {
    try {
      const pkg = parsePluginPackage(await readFile(`${pluginsDir(dataDir)}/${entry}`, 'utf8'));
      plugins.set(pkg.manifest.name, { manifest: pkg.manifest, context: loadCode(pkg.code, pkg.manifest.name) });
    } catch (error) {
      errors.push(`${entry}: ${(error as Error).message}`);
    }
  }
  return { call: (plugin, action, inputs) => callAction(plugins, plugin, action, inputs), errors };
}

function checkType(type: string, value: unknown): boolean {
  if (type === 'json') return value !== undefined;
  return typeof value === type;
}

function callAction(plugins: Map<string, TLoadedPlugin>, pluginName: string, actionName: string, inputs: Record<string, unknown>): unknown {
  const plugin = plugins.get(pluginName);
  if (!plugin) throw new AppError('NOT_FOUND', `the plugin "${pluginName}" is not loaded on this node`);
  const action = plugin.manifest.actions.find((candidate) => candidate.name === actionName);
  if (!action) throw new AppError('NOT_FOUND', `the plugin "${pluginName}" has no action "${actionName}"`);
  for (const [name, type] of Object.entries(action.inputs)) {
    if (!checkType(type, inputs[name])) throw new AppError('VALIDATION', `input "${name}" of ${pluginName}.${actionName} must be a ${type}`);
  }
  const context = plugin.context;
  context.__action = actionName;
  context.__input = JSON.stringify(inputs);
  try {
    CALL.runInContext(context, { timeout: PLUGIN_ACTION_TIMEOUT_MS });
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError('BAD_REQUEST', `${pluginName}.${actionName} failed: ${(error as Error).message}`);
  }
  const result = context.__result as { ok?: string; error?: string } | undefined;
  if (!result) throw new AppError('BAD_REQUEST', `${pluginName}.${actionName} did not finish (it waits for something that never comes)`);
  if (result.error !== undefined) throw new AppError('BAD_REQUEST', `${pluginName}.${actionName} failed: ${result.error}`);
  const value: unknown = JSON.parse(result.ok ?? 'null');
  if (!checkType(action.output, value)) throw new AppError('BAD_REQUEST', `${pluginName}.${actionName} returned a ${typeof value}, not a ${action.output}`);
  return value;
}
