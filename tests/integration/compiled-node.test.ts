/**
 * The build compiles the CLI and the node server to plain JavaScript (scripts/compile-node.ts):
 * a node runs the compiled files when they were made from the sources as they are, and the
 * sources through tsx otherwise (the rule itself: tests/unit/compiled-output.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentCompiled } from '@/bin/compiled.mjs';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

afterAll(stopAllNodes);

/** The server process's command line, once the supervisor has recorded its pid. */
async function serverCommandLine(node: NodeProcess): Promise<string> {
  const pid = await pollUntil(async () => node.serverPid(), { what: 'the server pid file' });
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

describe('the compiled CLI and node server', () => {
  it('are current after the build (the test setup runs it)', () => {
    expect(currentCompiled(ROOT, 'orchctl')).toBe(path.join(ROOT, '.compiled', 'orchctl.mjs'));
    expect(currentCompiled(ROOT, 'node-server')).toBe(path.join(ROOT, '.compiled', 'node-server.mjs'));
  });

  it('run a node, and the sources run it the same way when compiled code is off', async () => {
    const databaseUrl = await createTestDatabase();
    const [compiled, fromSources] = await Promise.all([
      startNode({ databaseUrl, name: 'compiled' }),
      startNode({ databaseUrl, name: 'sources', env: { ORCH_COMPILED: '0' } }),
    ]);
    expect(await serverCommandLine(compiled)).toContain(path.join(ROOT, '.compiled', 'node-server.mjs'));
    expect(await serverCommandLine(fromSources)).toContain(`--import tsx ${path.join(ROOT, 'scripts', 'node-server.ts')}`);
    for (const node of [compiled, fromSources]) {
      const response = await fetch(`${node.url}/api/health`);
      expect(response.ok).toBe(true);
      expect(await response.json()).toMatchObject({ name: node === compiled ? 'compiled' : 'sources' });
    }
    const [versionCompiled, versionSources] = await Promise.all([
      runOrchctl(['--version']),
      runOrchctl(['--version'], { ORCH_COMPILED: '0' }),
    ]);
    expect(versionCompiled.code, versionCompiled.stderr).toBe(0);
    expect(versionCompiled.stdout).toBe(versionSources.stdout);
  });
});
