/**
 * The one way a file received from the database (a pushed plugin, certificate, key or settings)
 * is written into a node's data directory. The path must resolve inside the data directory, and
 * so must the real path of the folder it lands in: a symbolic link planted in the data directory
 * cannot carry the write elsewhere. The write is atomic (temporary file, then rename).
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/api/app-error';
import { writeFileAtomic } from '@/lib/node/data-dir';

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

export async function writeReceivedFile(dataDir: string, target: string, content: string, mode = 0o644): Promise<void> {
  const root = path.resolve(dataDir);
  const file = path.resolve(root, target);
  const refuse = () =>
    new AppError('VALIDATION', `refused to write ${path.relative(root, file)}: it is not inside the data directory`, {
      field: 'files',
    });
  if (!isInside(root, file)) throw refuse();
  // the caller made the folder; a link anywhere on the way shows in its real path
  const [realRoot, realFolder] = await Promise.all([realpath(root), realpath(path.dirname(file))]);
  if (realFolder !== realRoot && !isInside(realRoot, realFolder)) throw refuse();
  await writeFileAtomic(file, content, mode);
}
