/**
 * Where the application's own files are. Used by the launcher and the server entry only (never
 * by bundled code, whose import.meta.url points into .next).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_ENTRY = path.join(PROJECT_ROOT, 'scripts', 'node-server.ts');
export const PRISMA_CLI = path.join(PROJECT_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
