/**
 * Compiles the CLI (scripts/cli/main.ts) and the node server (scripts/node-server.ts) to plain
 * JavaScript in .compiled/, one file each with the project's own modules inside and the packages
 * left to node_modules. bin/orchctl.mjs and the supervisor run these files instead of the sources
 * through tsx, which costs each node start about a CPU-second; bin/compiled.mjs decides whether
 * they are current (the manifest names every source file that went in, with its hash).
 * ensureBuild() runs this when they are not; `npx tsx scripts/compile-node.ts` by hand.
 */
import { readFile, mkdir, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { COMPILED_DIR, COMPILED_ENTRIES, fileHash, manifestPath } from '../bin/compiled.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, COMPILED_DIR);
/** what decides how the sources resolve and compile, beside the sources themselves */
const CONFIG_FILES = ['tsconfig.json', 'package.json'];
const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.mjs': 'js', '.js': 'js' } as const;

/**
 * A module's import.meta.url names the source file, as it does under tsx (lib/node/paths.ts finds
 * the project root with it, the plugin sandbox its process script): in the compiled file it is
 * the source's path relative to the compiled file, so a moved checkout still finds its files.
 */
const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const relative = JSON.stringify(path.relative(OUT_DIR, args.path).split(path.sep).join('/'));
      const url = `new URL(${relative}, import.meta.url).href`;
      const contents = source
        .replaceAll('import.meta.url', url)
        .replaceAll('import.meta.filename', `__orchFileURLToPath(${url})`)
        .replaceAll('import.meta.dirname', `__orchDirname(__orchFileURLToPath(${url}))`);
      const helpers = contents.includes('__orch')
        ? `import { fileURLToPath as __orchFileURLToPath } from 'node:url'; import { dirname as __orchDirname } from 'node:path';\n`
        : '';
      return { contents: helpers + contents, loader: LOADERS[path.extname(args.path) as keyof typeof LOADERS] };
    });
  },
};

/** Writes a file whole or not at all: a process starting meanwhile reads the old one or the new one. */
async function replaceFile(file: string, contents: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/**
 * Compiles both entry points. No manifest while the files are replaced, and each file replaced
 * whole, so that a node starting meanwhile (or a second build) never runs a half-written file.
 */
export async function compileNode(): Promise<void> {
  await rm(manifestPath(ROOT), { force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: COMPILED_ENTRIES,
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // stack traces name the sources with node --enable-source-maps (off by default: it costs each start)
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [sourceLocations],
  });
  const inputs = [...Object.keys(result.metafile.inputs), ...CONFIG_FILES].sort();
  const manifest = {
    inputs: Object.fromEntries(inputs.map((file) => [file, fileHash(path.join(ROOT, file))])),
    outputs: Object.fromEntries(Object.keys(COMPILED_ENTRIES).map((name) => [name, `${name}.mjs`])),
  };
  await mkdir(OUT_DIR, { recursive: true });
  for (const output of result.outputFiles) await replaceFile(output.path, output.contents);
  await replaceFile(manifestPath(ROOT), `${JSON.stringify(manifest, null, 1)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await compileNode();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
