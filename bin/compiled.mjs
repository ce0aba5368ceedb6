// The CLI and the node server compiled to plain JavaScript (scripts/compile-node.ts writes them
// when the build runs). Plain JavaScript, as bin/orchctl.mjs must decide before tsx is loaded.
// Compiled code is used only while every source file it was made from is byte for byte what was
// compiled; after any edit or pull, the sources run through tsx until the next build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** the folder of the compiled files, in the project root (not in git) */
export const COMPILED_DIR = '.compiled';
/** the entry points that are compiled: name → source, relative to the project root */
export const COMPILED_ENTRIES = { orchctl: 'scripts/cli/main.ts', 'node-server': 'scripts/node-server.ts' };
const MANIFEST = 'manifest.json';

/** SHA-256 of a file's content, in hex */
export function fileHash(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function manifestPath(root) {
  return path.join(root, COMPILED_DIR, MANIFEST);
}

/**
 * The compiled entry point NAME (an absolute path), or undefined when there is none or it may be
 * stale: a source it was compiled from changed, or was removed. ORCH_COMPILED=0 turns compiled
 * code off (to compare, or to debug with the sources).
 */
export function currentCompiled(root, name) {
  if (process.env.ORCH_COMPILED === '0') return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(root), 'utf8'));
    const output = manifest.outputs[name];
    if (typeof output !== 'string') return undefined;
    for (const [file, hash] of Object.entries(manifest.inputs)) {
      if (!existsSync(path.join(root, file)) || fileHash(path.join(root, file)) !== hash) return undefined;
    }
    const entry = path.join(root, COMPILED_DIR, output);
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}
