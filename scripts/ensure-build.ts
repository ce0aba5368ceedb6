/**
 * The console's production build, kept in step with the sources: `npm start`, the benchmarks and
 * the integration and browser tests call ensureBuild(), which runs `next build` only when the
 * sources that go into the build changed since the last one (a pull, an edit), so that nobody is
 * served a stale console. Run directly (`npm run build`), it builds unconditionally.
 * It also compiles the CLI and the node server to plain JavaScript (scripts/compile-node.ts)
 * when the compiled files are missing or were made from other sources.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inheritedEnv } from '@/lib/env';
import { COMPILED_ENTRIES, currentCompiled } from '../bin/compiled.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** what the build is made from; lib/generated is made by `prisma generate` from the schema */
const SOURCE_DIRS = ['app', 'components', 'lib', 'public'];
const SOURCE_FILES = [
  'next.config.js',
  'postcss.config.mjs',
  'tsconfig.json',
  'package-lock.json',
  'proxy.ts',
  'prisma/schema.prisma',
];
const SKIPPED = new Set([path.join('lib', 'generated')]);
const STAMP = path.join(ROOT, '.next', 'orch-source-fingerprint');

function listFiles(relative: string): string[] {
  const absolute = path.join(ROOT, relative);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(relative, entry.name);
    if (SKIPPED.has(child)) return [];
    if (entry.isDirectory()) return listFiles(child);
    return entry.isFile() ? [child] : [];
  });
}

/** SHA-256 over the path and content of every source file, in a stable order. */
export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const files = [...SOURCE_DIRS.flatMap(listFiles), ...SOURCE_FILES.filter((file) => existsSync(path.join(ROOT, file)))].sort();
  for (const file of files) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

function builtFingerprint(): string | undefined {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID')) || !existsSync(STAMP)) return undefined;
  return readFileSync(STAMP, 'utf8').trim();
}

export class BuildFailed extends Error {}

/** Whether every compiled entry point is there and was made from the sources as they are now. */
export function compiledCurrent(): boolean {
  return Object.keys(COMPILED_ENTRIES).every(
    (name) => currentCompiled(ROOT, name as keyof typeof COMPILED_ENTRIES) !== undefined,
  );
}

/** Compiles the CLI and the node server (about a second) unless they are current. */
export function ensureCompiled(options: { force?: boolean; quiet?: boolean } = {}): void {
  if (!options.force && compiledCurrent()) return;
  if (!options.quiet) console.log('compiling the CLI and the node server to .compiled/');
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'compile-node.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: inheritedEnv({}),
  });
  if (result.status !== 0) throw new BuildFailed('compiling the CLI and the node server failed (see above)');
}

/** Builds the console unless the last build was made from these very sources; compiles the node likewise. */
export function ensureBuild(options: { force?: boolean; quiet?: boolean } = {}): void {
  ensureCompiled(options);
  const fingerprint = sourceFingerprint();
  const built = builtFingerprint();
  if (!options.force && built === fingerprint) return;
  if (!options.quiet) {
    console.log(
      built === undefined
        ? 'no build of the console yet: running "next build" (about a minute, once)'
        : 'the sources changed since the last build: running "next build"',
    );
  }
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: inheritedEnv({ NODE_ENV: 'production' }),
  });
  if (result.status !== 0) throw new BuildFailed('next build failed (see above)');
  writeFileSync(STAMP, `${fingerprint}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureBuild({ force: !process.argv.includes('--if-changed') });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
