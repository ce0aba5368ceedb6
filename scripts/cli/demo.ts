/**
 * `orchctl demo` (what `npm start` runs): builds the console when there is no build yet, then
 * runs a node on its built-in database and prints where to sign in.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inheritedEnv, rootPasswordEnv } from '@/lib/env';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { runNode } from './node-start';
import { CliError } from './api-client';

export function ensureBuild(): void {
  if (existsSync(path.join(PROJECT_ROOT, '.next', 'BUILD_ID'))) return;
  console.log('no build of the console yet: running "next build" (about a minute, once)');
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: inheritedEnv({ NODE_ENV: 'production' }),
  });
  if (result.status !== 0) throw new CliError('next build failed (see above)');
}

/**
 * The demo keeps its root password beside its data so that it can be printed on every start;
 * a production node prints a generated password only once (lib/node/supervisor.ts).
 */
async function demoRootPassword(dataDir: string): Promise<string> {
  const fromEnv = rootPasswordEnv();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'demo-root-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(12).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

export async function runDemo(options: { nodes: number; basePort: number; dataDir: string }): Promise<number> {
  if (options.nodes !== 1) throw new CliError('this version runs a single node; --nodes above 1 arrives with the cluster core');
  ensureBuild();
  const dataDir = path.resolve(options.dataDir);
  const nodeDir = path.join(dataDir, 'node-1');
  const password = await demoRootPassword(dataDir);
  process.env.ORCH_ROOT_PASSWORD = password;
  const url = `http://localhost:${options.basePort}`;
  const exit = runNode({ port: options.basePort, dataDir: nodeDir, name: 'node-1', advertiseUrl: url });
  const { waitForHealth } = await import('./node-start');
  if (await waitForHealth(url)) {
    console.log('');
    console.log('  Orchestrator Control Center is running');
    console.log(`  console:   ${url}`);
    console.log(`  sign in:   root / ${password}   (the demo's first root password, kept in ${path.join(dataDir, 'demo-root-password')})`);
    console.log(`  data:      ${nodeDir}`);
    console.log('  stop:      Ctrl-C');
    console.log('');
  }
  return exit;
}
