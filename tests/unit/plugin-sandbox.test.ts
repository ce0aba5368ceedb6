/**
 * The sandbox that runs plugin actions: a sample package's action works; code that tries to reach
 * this realm (process, require, Function through a constructor, eval) or runs forever fails with
 * a clear error instead of escaping or hanging the runner.
 */
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPluginSandbox, type TPluginSandbox } from '@/lib/workflow/plugin-sandbox';

const SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins');
let sandbox: TPluginSandbox;

const hostile = {
  format: 'orch-plugin/1',
  manifest: {
    name: 'hostile',
    version: '1.0.0',
    description: 'Tries to get out.',
    actions: ['viaConstructor', 'viaGlobals', 'viaEval', 'forever', 'foreverAsync'].map((name) => ({ name, description: name, inputs: {}, output: 'json' })),
  },
  code: [
    "exports.viaConstructor = () => this.constructor.constructor('return process')().pid;",
    "exports.viaGlobals = () => typeof process + typeof require + typeof setTimeout;",
    "exports.viaEval = () => eval('1 + 1');",
    'exports.forever = () => { for (;;) {} };',
    'exports.foreverAsync = async () => { for (;;) { await null; } };',
  ].join('\n'),
};

async function call(plugin: string, action: string, inputs: Record<string, unknown> = {}): Promise<unknown> {
  try {
    return { value: await sandbox.call(plugin, action, inputs) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

beforeAll(async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-sandbox-'));
  await mkdir(path.join(dataDir, 'plugins'));
  await copyFile(path.join(SAMPLES, 'arithmetic.orchplugin'), path.join(dataDir, 'plugins', 'arithmetic.orchplugin'));
  await writeFile(path.join(dataDir, 'plugins', 'hostile.orchplugin'), JSON.stringify(hostile));
  sandbox = await loadPluginSandbox(dataDir);
  expect(sandbox.errors).toEqual([]);
});

describe('plugin sandbox', () => {
  it('runs a sample action', async () => {
    expect(await call('arithmetic', 'add', { a: 2, b: 40 })).toEqual({ value: 42 });
    expect(await call('arithmetic', 'multiply', { a: 6, b: 7 })).toEqual({ value: 42 });
  });

  it('gives an action no way to this realm\'s process, require, timers or code generation', async () => {
    expect(await call('hostile', 'viaConstructor')).toHaveProperty('error');
    expect(await call('hostile', 'viaGlobals')).toEqual({ value: 'undefinedundefinedundefined' });
    expect(await call('hostile', 'viaEval')).toHaveProperty('error');
  });

  it('stops an action that runs forever, synchronously or not', async () => {
    const started = performance.now();
    expect(await call('hostile', 'forever')).toHaveProperty('error');
    expect(await call('hostile', 'foreverAsync')).toHaveProperty('error');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('names an unknown plugin or action', async () => {
    expect(await call('nope', 'add')).toEqual({ error: expect.stringMatching(/nope/) });
    expect(await call('arithmetic', 'divide')).toEqual({ error: expect.stringMatching(/divide/) });
  });
});
