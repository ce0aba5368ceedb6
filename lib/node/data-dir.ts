/**
 * The node's data directory: identity, built-in database files, local configuration, logs.
 * It is private to the node's user: 0700, and every file the node writes in it 0600 (the
 * launcher also sets its umask to 0077, which its server child inherits).
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/api/app-error';

/** Creates the directory when missing and proves that it can be written to. */
export async function prepareDataDir(dataDir: string): Promise<string> {
  const dir = path.resolve(dataDir);
  const probe = path.join(dir, `.write-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
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

/** The built-in PostgreSQL's own files: it keeps them private itself, and as root they belong to the postgres user. */
const LEFT_TO_POSTGRES = path.join('database', 'pgdata');

/**
 * Takes group and other permissions off the data directory and everything in it that an older
 * version (or a hand-made directory) left open, such as node.json or logs/system.log at 0644.
 * A directory that belongs to another user is left as it is: that user chose to share it.
 * Called under the data directory's lock only (a running built-in database needs its way in).
 */
export async function makeDataDirPrivate(dataDir: string): Promise<void> {
  const visit = async (entry: string): Promise<void> => {
    if (path.relative(dataDir, entry) === LEFT_TO_POSTGRES) return;
    const info = await lstat(entry);
    if (info.isSymbolicLink()) return;
    if ((info.mode & 0o077) !== 0 && (process.getuid?.() === 0 || info.uid === process.getuid?.())) {
      await chmod(entry, info.mode & 0o7700);
    }
    if (info.isDirectory()) for (const name of await readdir(entry)) await visit(path.join(entry, name));
  };
  await visit(dataDir);
}

/** Write to a temporary file and rename it over the target, so a reader never sees half a file. */
export async function writeFileAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
