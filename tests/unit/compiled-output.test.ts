import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMPILED_DIR, currentCompiled, fileHash, manifestPath } from '@/bin/compiled.mjs';

/** A project root with two sources, compiled output for `orchctl`, and a manifest of both sources. */
async function compiledProject(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-compiled-'));
  await mkdir(path.join(root, 'lib'), { recursive: true });
  await mkdir(path.join(root, COMPILED_DIR), { recursive: true });
  await writeFile(path.join(root, 'main.ts'), "import './lib/a';\n");
  await writeFile(path.join(root, 'lib', 'a.ts'), 'export const a = 1;\n');
  await writeFile(path.join(root, COMPILED_DIR, 'orchctl.mjs'), 'export {};\n');
  const inputs = Object.fromEntries(['main.ts', 'lib/a.ts'].map((file) => [file, fileHash(path.join(root, file))]));
  await writeFile(manifestPath(root), JSON.stringify({ inputs, outputs: { orchctl: 'orchctl.mjs' } }));
  return root;
}

describe('compiled CLI and server (bin/compiled.mjs)', () => {
  let root: string;
  beforeEach(async () => {
    root = await compiledProject();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it('are used while every source they were made from is unchanged', () => {
    expect(currentCompiled(root, 'orchctl')).toBe(path.join(root, COMPILED_DIR, 'orchctl.mjs'));
  });

  it('are not used once a source changed, even by one byte, until they are compiled again', async () => {
    await writeFile(path.join(root, 'lib', 'a.ts'), 'export const a = 2;\n');
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
  });

  it('are not used when a source they were made from is gone', async () => {
    await rm(path.join(root, 'lib', 'a.ts'));
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
  });

  it('are not used without a manifest (never built, or a build under way), nor without the output', async () => {
    expect(currentCompiled(root, 'node-server')).toBeUndefined(); // not in this manifest
    await rm(path.join(root, COMPILED_DIR, 'orchctl.mjs'));
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
    await rm(manifestPath(root));
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
  });

  it('are not used with a manifest that cannot be read', async () => {
    await writeFile(manifestPath(root), '{"inputs": ');
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
  });

  it('are turned off by ORCH_COMPILED=0', () => {
    vi.stubEnv('ORCH_COMPILED', '0');
    expect(currentCompiled(root, 'orchctl')).toBeUndefined();
  });
});
