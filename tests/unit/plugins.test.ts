/**
 * The plugin package format: the samples are valid, every kind of malformed package is refused
 * with a message and a field naming what is wrong, and installing into a data directory
 * (conflict, upgrade, a malformed file on disk) behaves as docs/plugins.md says.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/api/app-error';
import { installPlugin, listInstalledPlugins, readInstalledPlugins } from '@/lib/plugins/installed-plugins';
import { packageSha256, parsePluginPackage, PLUGIN_PACKAGE_MAX_BYTES } from '@/lib/plugins/package';

const SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins');
const greetingText = readFileSync(path.join(SAMPLES, 'greeting.orchplugin'), 'utf8');
const arithmeticText = readFileSync(path.join(SAMPLES, 'arithmetic.orchplugin'), 'utf8');

type TPackageJson = {
  format: unknown;
  manifest: Record<string, unknown> & { actions: Record<string, unknown>[] };
  code: unknown;
};

/** The greeting sample with CHANGE applied to a copy of it, as package text. */
function greetingWith(change: (pkg: TPackageJson) => void): string {
  const pkg = JSON.parse(greetingText) as TPackageJson;
  change(pkg);
  return JSON.stringify(pkg);
}

function refusal(text: string): AppError {
  try {
    parsePluginPackage(text);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the package was accepted');
}

function expectRefused(text: string, expected: { code?: string; field: string; message: RegExp }): void {
  const error = refusal(text);
  expect(error.code).toBe(expected.code ?? 'VALIDATION');
  expect(error.field).toBe(expected.field);
  expect(error.message).toMatch(expected.message);
  expect(error.message).not.toContain('\n');
}

/** Runs a sample's code the way a CommonJS module body runs: only to prove the samples do what they say. */
function loadActions(code: string): Record<string, (input: Record<string, unknown>) => Promise<unknown>> {
  const exports = {};
  vm.runInNewContext(code, { exports, module: { exports } });
  return exports;
}

describe('the samples', () => {
  it('greeting parses and greets', async () => {
    const pkg = parsePluginPackage(greetingText);
    expect(pkg.manifest).toMatchObject({ name: 'greeting', version: '1.0.0' });
    expect(pkg.manifest.actions).toEqual([
      expect.objectContaining({ name: 'greet', inputs: { name: 'string' }, output: 'string' }),
    ]);
    expect(await loadActions(pkg.code).greet({ name: 'Ann' })).toBe('Hello, Ann!');
  });

  it('arithmetic parses, adds and multiplies', async () => {
    const pkg = parsePluginPackage(arithmeticText);
    expect(pkg.manifest.actions.map((action) => action.name)).toEqual(['add', 'multiply']);
    const actions = loadActions(pkg.code);
    expect(await actions.add({ a: 2, b: 3 })).toBe(5);
    expect(await actions.multiply({ a: 2, b: 3 })).toBe(6);
  });

  it('has a SHA-256 of its exact text', () => {
    expect(packageSha256(greetingText)).toMatch(/^[0-9a-f]{64}$/);
    expect(packageSha256(greetingText)).not.toBe(packageSha256(`${greetingText} `));
  });
});

describe('a malformed package is refused, naming the field', () => {
  it('not JSON', () => {
    expectRefused('{ "format": "orch-plugin/1", ', { field: 'package', message: /^the package is not valid JSON/ });
    expectRefused('', { field: 'package', message: /^the package is empty$/ });
    expectRefused('[1, 2]', { field: 'package', message: /^the package must be an object$/ });
  });

  it('a wrong or missing format tag', () => {
    expectRefused(
      greetingWith((pkg) => (pkg.format = 'orch-plugin/2')),
      { field: 'format', message: /^format must be "orch-plugin\/1", not "orch-plugin\/2"$/ },
    );
    expectRefused(
      greetingWith((pkg) => delete (pkg as Partial<TPackageJson>).format),
      { field: 'format', message: /^format is missing/ },
    );
  });

  it('a name that is not kebab-case or too long', () => {
    for (const name of ['Greeting', 'greeting_tool', '-greeting', 'greeting--tool', '9lives', '']) {
      expectRefused(
        greetingWith((pkg) => (pkg.manifest.name = name)),
        { field: 'manifest.name', message: /^manifest\.name must (be kebab-case|not be empty)/ },
      );
    }
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.name = 'a'.repeat(65))),
      { field: 'manifest.name', message: /at most 64 characters/ },
    );
    expect(parsePluginPackage(greetingWith((pkg) => (pkg.manifest.name = `a-${'b'.repeat(62)}`))).manifest.name).toHaveLength(64);
  });

  it('a version that is not x.y.z', () => {
    for (const version of ['1.0', 'v1.0.0', '1.0.0-beta', '01.0.0']) {
      expectRefused(
        greetingWith((pkg) => (pkg.manifest.version = version)),
        { field: 'manifest.version', message: /^manifest\.version must look like 1\.2\.3$/ },
      );
    }
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.version = 1 as unknown as string)),
      { field: 'manifest.version', message: /^manifest\.version must be a string$/ },
    );
  });

  it('no actions', () => {
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions = [])),
      { field: 'manifest.actions', message: /^manifest\.actions must declare at least one action$/ },
    );
    expectRefused(
      greetingWith((pkg) => delete (pkg.manifest as Partial<TPackageJson['manifest']>).actions),
      { field: 'manifest.actions', message: /^manifest\.actions is missing$/ },
    );
  });

  it('an action declared twice', () => {
    const text = greetingWith((pkg) => pkg.manifest.actions.push({ ...pkg.manifest.actions[0] }));
    expectRefused(text, { field: 'manifest.actions.1.name', message: /^action "greet" is declared twice$/ });
  });

  it('an action name, input name or type that is not allowed', () => {
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions[0].name = 'say-hello')),
      { field: 'manifest.actions.0.name', message: /must start with a letter/ },
    );
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions[0].inputs = { 'first-name': 'string' })),
      {
        field: 'manifest.actions.0.inputs.first-name',
        message: /^manifest\.actions\.0\.inputs has the name "first-name", which must start with a letter/,
      },
    );
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions[0].inputs = { name: 'text' })),
      {
        field: 'manifest.actions.0.inputs.name',
        message: /must be one of "string", "number", "boolean", "json", not "text"$/,
      },
    );
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions[0].output = 'void')),
      { field: 'manifest.actions.0.output', message: /must be one of/ },
    );
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.actions[0].timeout = 5)),
      { field: 'manifest.actions.0', message: /has an unknown field "timeout"/ },
    );
  });

  it('an action the code never assigns', () => {
    const text = greetingWith((pkg) => pkg.manifest.actions.push({ name: 'wave', inputs: {}, output: 'string' }));
    expectRefused(text, { field: 'code', message: /^action "wave" is declared but the code never assigns exports\.wave$/ });
    // a longer name, a comparison or another object's property do not count
    for (const code of ['exports.greeter = 1;', 'if (exports.greet == null) {}', 'myexports.greet = 1;']) {
      expectRefused(
        greetingWith((pkg) => (pkg.code = code)),
        { field: 'code', message: /never assigns exports\.greet$/ },
      );
    }
    expect(parsePluginPackage(greetingWith((pkg) => (pkg.code = 'module.exports.greet = async () => "hi";'))).manifest.name).toBe(
      'greeting',
    );
  });

  it('code with a syntax error, without running it', () => {
    const code = 'exports.greet = async ({ name }) => {\n  return `Hello, ${name}!` +;\n};';
    expectRefused(
      greetingWith((pkg) => (pkg.code = code)),
      { field: 'code', message: /^the code does not parse: Unexpected token ';' \(line 2\)$/ },
    );
    expectRefused(
      greetingWith((pkg) => (pkg.code = 'import fs from "node:fs"; exports.greet = 1;')),
      { field: 'code', message: /^the code does not parse/ },
    );
    // compiled, never run: a package whose code would throw (or loop) at load is accepted here
    expect(parsePluginPackage(greetingWith((pkg) => (pkg.code = 'while (true) {}\nexports.greet = 1;'))).manifest.name).toBe(
      'greeting',
    );
  });

  it('larger than 1 MiB', () => {
    const padding = 'x'.repeat(PLUGIN_PACKAGE_MAX_BYTES);
    expectRefused(
      greetingWith((pkg) => (pkg.manifest.description = padding)),
      { code: 'PAYLOAD_TOO_LARGE', field: 'package', message: /at most 1048576 bytes \(1 MiB\)/ },
    );
    expect(refusal(greetingWith((pkg) => (pkg.manifest.description = padding))).status).toBe(413);
    // the limit is in UTF-8 bytes, not characters
    const text = greetingWith((pkg) => (pkg.code = `${pkg.code as string}// ${'é'.repeat(PLUGIN_PACKAGE_MAX_BYTES / 2)}`));
    expect(text.length).toBeLessThan(PLUGIN_PACKAGE_MAX_BYTES);
    expect(refusal(text).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('unknown top-level fields', () => {
    expectRefused(
      greetingWith((pkg) => ((pkg as Record<string, unknown>).signature = 'x')),
      { field: 'package', message: /^the package has an unknown field "signature"$/ },
    );
  });
});

describe('installing into a data directory', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-plugins-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('writes the package as given and lists it, sorted by name', async () => {
    const installed = await installPlugin(dataDir, greetingText);
    expect(installed).toEqual({
      name: 'greeting',
      version: '1.0.0',
      sha256: packageSha256(greetingText),
      description: expect.stringContaining('Greets'),
      actions: [expect.objectContaining({ name: 'greet' })],
    });
    await installPlugin(dataDir, arithmeticText);
    expect(await readFile(path.join(dataDir, 'plugins', 'greeting.orchplugin'), 'utf8')).toBe(greetingText);
    expect((await listInstalledPlugins(dataDir)).map((plugin) => plugin.name)).toEqual(['arithmetic', 'greeting']);
    expect((await listInstalledPlugins(dataDir))[1]).toEqual(installed);
    expect((await readdir(path.join(dataDir, 'plugins'))).sort()).toEqual(['arithmetic.orchplugin', 'greeting.orchplugin']);
  });

  it('refuses the same version again, also when two arrive at once, and replaces it with another version', async () => {
    const results = await Promise.allSettled([installPlugin(dataDir, greetingText), installPlugin(dataDir, greetingText)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const conflict = (results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as AppError;
    expect(conflict).toMatchObject({
      code: 'CONFLICT',
      field: 'manifest.version',
      message: 'greeting 1.0.0 is already installed',
    });

    const upgrade = greetingWith((pkg) => {
      pkg.manifest.version = '1.1.0';
      pkg.code = 'exports.greet = async ({ name }) => `Hi, ${name}!`;';
    });
    expect((await installPlugin(dataDir, upgrade)).version).toBe('1.1.0');
    expect(await listInstalledPlugins(dataDir)).toEqual([
      expect.objectContaining({ name: 'greeting', version: '1.1.0', sha256: packageSha256(upgrade) }),
    ]);
    // and back: a rollback is another version too
    expect((await installPlugin(dataDir, greetingText)).version).toBe('1.0.0');
  });

  it('refuses a malformed package and writes nothing', async () => {
    await expect(
      installPlugin(
        dataDir,
        greetingWith((pkg) => (pkg.manifest.version = 'one')),
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'manifest.version' });
    expect(await readInstalledPlugins(dataDir)).toEqual({ plugins: [], errors: [] });
  });

  it('lists the valid packages and reports a malformed file instead of failing; installing replaces it', async () => {
    await installPlugin(dataDir, arithmeticText);
    await writeFile(path.join(dataDir, 'plugins', 'greeting.orchplugin'), '{ not json');
    await writeFile(path.join(dataDir, 'plugins', 'other.orchplugin'), greetingText); // the greeting plugin under another file name
    await mkdir(path.join(dataDir, 'plugins', 'folder.orchplugin'));
    await writeFile(path.join(dataDir, 'plugins', 'notes.txt'), 'not a package, not listed');

    const listed = await readInstalledPlugins(dataDir);
    expect(listed.plugins.map((plugin) => plugin.name)).toEqual(['arithmetic']);
    expect(listed.errors).toEqual([
      { file: 'plugins/folder.orchplugin', message: 'cannot be read (EISDIR)' },
      { file: 'plugins/greeting.orchplugin', message: expect.stringMatching(/^the package is not valid JSON/) },
      { file: 'plugins/other.orchplugin', message: expect.stringMatching(/^holds the plugin greeting/) },
    ]);

    await installPlugin(dataDir, greetingText);
    expect((await listInstalledPlugins(dataDir)).map((plugin) => plugin.name)).toEqual(['arithmetic', 'greeting']);
  });

  it('lists nothing when no plugin was ever installed', async () => {
    expect(await readInstalledPlugins(dataDir)).toEqual({ plugins: [], errors: [] });
  });
});
