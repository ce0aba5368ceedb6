/**
 * The node's data directory: identity, built-in database files, local configuration, logs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/api/app-error';

/** Creates the directory when missing and proves that it can be written to. */
export async function prepareDataDir(dataDir: string): Promise<string> {
  const dir = path.resolve(dataDir);
  const probe = path.join(dir, `.write-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AppError('DATA_DIR_UNUSABLE', `data directory ${dir} is not usable (${reason})`, {
      field: 'data-dir',
      cause: error,
    });
  }
  return dir;
}

/** Write to a temporary file and rename it over the target, so a reader never sees half a file. */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
