// Types of bin/compiled.mjs, for the TypeScript that imports it.
export const COMPILED_DIR: string;
export const COMPILED_ENTRIES: Record<'orchctl' | 'node-server', string>;
export function fileHash(file: string): string;
export function manifestPath(root: string): string;
export function currentCompiled(root: string, name: keyof typeof COMPILED_ENTRIES): string | undefined;
