/**
 * The sandbox that runs plugin actions: a sample package's action works; code that tries to reach
 * this realm (process, require, Function through a constructor, eval) or runs forever fails with
 * a clear error instead of escaping or hanging the runner. Actions run in a process of their own:
 * a getter that never ends or an allocation without bound costs the action, while this thread's
 * event loop (the node's heartbeat) keeps ticking.
 */
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PLUGIN_OUTPUT_BYTES, PLUGIN_ACTION_CPU_MS, PLUGIN_ACTION_TIMEOUT_MS } from '@/lib/workflow/limits';
import { loadPluginSandbox, type TPluginSandbox } from '@/lib/workflow/plugin-sandbox';

const SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins');
let sandbox: TPluginSandbox;

const hostile = {
  format: 'orch-plugin/1',
  manifest: {
    name: 'hostile',
    version: '1.0.0',
    description: 'Tries to get out.',
    actions: [
      'viaConstructor',
      'viaGlobals',
      'viaEval',
      'forever',
      'foreverAsync',
      'getterForever',
      'toJsonForever',
      'allocateForever',
      'fillHugeArray',
      'hugeString',
      'hugeResult',
      'longString',
      'never',
      'buffers',
      'behindHostGetters',
    ].map((name) => ({ name, description: name, inputs: {}, output: 'json' })),
  },
  code: [
    // the names the old host read and assigned on the plugin's global, outside its timeout
    "for (const name of ['__result', '__action', '__input']) Object.defineProperty(globalThis, name, { get() { for (;;) {} }, set(value) { for (;;) {} } });",
    'exports.behindHostGetters = () => 42;',
    "exports.viaConstructor = () => this.constructor.constructor('return process')().pid;",
    'exports.viaGlobals = () => typeof process + typeof require + typeof setTimeout;',
    "exports.viaEval = () => eval('1 + 1');",
    'exports.forever = () => { for (;;) {} };',
    'exports.foreverAsync = async () => { for (;;) { await null; } };',
    'exports.getterForever = () => ({ get ok() { for (;;) {} }, get error() { for (;;) {} }, get value() { for (;;) {} } });',
    'exports.toJsonForever = () => ({ toJSON() { for (;;) {} } });',
    'exports.allocateForever = () => { const all = []; for (;;) all.push(new Array(100000).fill(all.length)); };',
    'exports.fillHugeArray = () => new Array(1e9).fill(0).length;',
    "exports.hugeString = () => { let s = 'x'; for (;;) s = s + s + Math.random(); };",
    `exports.hugeResult = () => 'x'.repeat(${MAX_PLUGIN_OUTPUT_BYTES + 10});`,
    "exports.longString = () => 'y'.repeat(70000);",
    'exports.never = () => new Promise(() => {});',
    'exports.buffers = () => [typeof ArrayBuffer, typeof Uint8Array, typeof SharedArrayBuffer, typeof WebAssembly].join();',
  ].join('\n'),
};

/** Runs `work` while measuring the longest gap between 10 ms ticks of this thread's event loop. */
async function withLoopGap<T>(work: () => Promise<T>): Promise<{ result: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  try {
    return { result: await work(), maxGapMs };
  } finally {
    clearInterval(ticker);
  }
}

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

// a loop gap this long would mean the plugin ran on this thread (its CPU budget is 2 s); a busy 2-core host
// alone stalls a timer by a few hundred milliseconds at most
const BLOCKED_LOOP_MS = PLUGIN_ACTION_CPU_MS / 2;

// a hostile action takes up to its CPU budget, which is longer in wall time on a busy host
describe('plugin sandbox', { timeout: 60_000 }, () => {
  it('runs a sample action', async () => {
    expect(await call('arithmetic', 'add', { a: 2, b: 40 })).toEqual({ value: 42 });
    expect(await call('arithmetic', 'multiply', { a: 6, b: 7 })).toEqual({ value: 42 });
  });

  it("gives an action no way to this realm's process, require, timers or code generation", async () => {
    expect(await call('hostile', 'viaConstructor')).toHaveProperty('error');
    expect(await call('hostile', 'viaGlobals')).toEqual({ value: 'undefinedundefinedundefined' });
    expect(await call('hostile', 'viaEval')).toHaveProperty('error');
  });

  it('stops an action that runs forever, synchronously or not', async () => {
    const started = performance.now();
    expect(await call('hostile', 'forever')).toHaveProperty('error');
    expect(await call('hostile', 'foreverAsync')).toHaveProperty('error');
    // each within its CPU budget or, on a host too busy to give it that, its wall-clock time
    expect(performance.now() - started).toBeLessThan(2 * PLUGIN_ACTION_TIMEOUT_MS + 5_000);
  });

  it('stops a result whose getters or toJSON loop for ever, off this thread, naming the timeout', async () => {
    for (const action of ['getterForever', 'toJsonForever']) {
      const { result, maxGapMs } = await withLoopGap(() => call('hostile', action));
      expect(result).toEqual({
        error: expect.stringMatching(
          new RegExp(
            `hostile\\.${action} failed: it (used more than ${PLUGIN_ACTION_CPU_MS} ms of CPU time|did not answer within ${PLUGIN_ACTION_TIMEOUT_MS} ms) and was stopped`,
          ),
        ),
      });
      // the event loop that heartbeats never waited for the plugin: on this thread the gap would be its whole CPU budget
      expect(maxGapMs).toBeLessThan(BLOCKED_LOOP_MS);
    }
  });

  it('never runs a getter or setter the plugin put on its global on this thread', async () => {
    const { result, maxGapMs } = await withLoopGap(() => call('hostile', 'behindHostGetters'));
    expect(result).toEqual({ value: 42 });
    expect(maxGapMs).toBeLessThan(BLOCKED_LOOP_MS);
  });

  it('stops an action that allocates without bound, naming memory, and this process lives on', async () => {
    const { result, maxGapMs } = await withLoopGap(() => call('hostile', 'allocateForever'));
    expect(result).toEqual({
      error:
        'hostile.allocateForever failed: it ran out of memory (a plugin action may use 64 MiB of heap, 112 MiB in all) and was stopped',
    });
    expect(maxGapMs).toBeLessThan(BLOCKED_LOOP_MS);
    // this one aborts a whole process (a worker thread's resourceLimits do not stop it): here only the plugin's
    expect(await call('hostile', 'fillHugeArray')).toEqual({ error: expect.stringMatching(/ran out of memory|was stopped/) });
    expect(await call('hostile', 'hugeString')).toEqual({
      error: expect.stringMatching(/Invalid string length|ran out of memory|was stopped/),
    });
    expect(await call('arithmetic', 'add', { a: 1, b: 1 })).toEqual({ value: 2 });
  });

  it('gives an action no buffers outside the heap limit', async () => {
    expect(await call('hostile', 'buffers')).toEqual({ value: 'undefined,undefined,undefined,undefined' });
  });

  it('caps what an action returns: 1 MiB of JSON, 64 KiB for a string', async () => {
    expect(await call('hostile', 'hugeResult')).toEqual({
      error: expect.stringMatching(/the result is \d+ bytes as JSON; an action's result is at most 1048576 bytes/),
    });
    expect(await call('hostile', 'longString')).toEqual({
      error: expect.stringMatching(/returned a string of 70000 bytes; a string value is at most 64 KiB/),
    });
  });

  it('says so when an action waits for something that never comes', async () => {
    expect(await call('hostile', 'never')).toEqual({ error: expect.stringMatching(/did not finish/) });
  });

  it('names an unknown plugin or action', async () => {
    expect(await call('nope', 'add')).toEqual({ error: expect.stringMatching(/nope/) });
    expect(await call('arithmetic', 'divide')).toEqual({ error: expect.stringMatching(/divide/) });
  });
});
