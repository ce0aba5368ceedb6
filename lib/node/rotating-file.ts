/**
 * Append-only log files that never fill a disk: when a file would grow past its size limit it is
 * renamed to `<file>.1` (`.1` to `.2`, …) and a new one is started; files beyond `keep` are
 * deleted. At most (keep + 1) × maxBytes on disk per log.
 */
import { appendFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export type TRotation = { maxBytes: number; keep: number };

/** 10 MiB per file, 5 old files: 60 MiB at most per log */
export const DEFAULT_ROTATION: TRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

export const rotatedName = (file: string, index: number) => `${file}.${index}`;

const sizeOf = async (file: string) => (await stat(file).catch(() => null))?.size ?? 0;
const sizeOfSync = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

// appends to one file from one process go one after the other, so a rotation never splits a line
const queues = new Map<string, Promise<void>>();

export function appendRotating(file: string, text: string, rotation: TRotation = DEFAULT_ROTATION): Promise<void> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(async () => {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const size = await sizeOf(file);
    if (size > 0 && size + Buffer.byteLength(text) > rotation.maxBytes) {
      await rm(rotatedName(file, rotation.keep), { force: true });
      for (let index = rotation.keep - 1; index >= 1; index -= 1)
        await rename(rotatedName(file, index), rotatedName(file, index + 1)).catch(() => {});
      await rename(file, rotatedName(file, 1));
    }
    await appendFile(file, text, { mode: 0o600 });
  });
  const settled = next.catch(() => {});
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return next;
}

/** The same, synchronous: for records that must be on disk before the caller goes on. */
export function appendRotatingSync(file: string, text: string, rotation: TRotation = DEFAULT_ROTATION): void {
  const size = sizeOfSync(file);
  if (size > 0 && size + Buffer.byteLength(text) > rotation.maxBytes) {
    rmSync(rotatedName(file, rotation.keep), { force: true });
    for (let index = rotation.keep - 1; index >= 1; index -= 1) {
      try {
        renameSync(rotatedName(file, index), rotatedName(file, index + 1));
      } catch {
        // that one did not exist yet
      }
    }
    renameSync(file, rotatedName(file, 1));
  }
  appendFileSync(file, text, { mode: 0o600 });
}
