/**
 * A node-local option, never pushed: `<dataDir>/config/local.json` `{ "keepOwnCertificate": true }`
 * makes a configuration push leave this node's certificate alone (e.g. a node behind its own
 * public name with a certificate from a real CA). Other keys in the file are kept as they are.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const ZLocalOptions = z.looseObject({ keepOwnCertificate: z.boolean().default(false) });
export type TLocalOptions = z.infer<typeof ZLocalOptions>;

export function localOptionsFile(dataDir: string): string {
  return path.join(dataDir, 'config', 'local.json');
}

async function readLocalOptions(dataDir: string): Promise<TLocalOptions> {
  const file = localOptionsFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ZLocalOptions.parse({});
    throw error;
  }
  // refusing beats guessing: read as "false", a damaged file would let a push replace the certificate
  try {
    return ZLocalOptions.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError('DATA_DIR_UNUSABLE', `${file} is not valid ({ "keepOwnCertificate": true|false }); fix or delete it`, {
      cause: error,
    });
  }
}

export async function readKeepOwnCertificate(dataDir: string): Promise<boolean> {
  return (await readLocalOptions(dataDir)).keepOwnCertificate;
}

export async function writeKeepOwnCertificate(dataDir: string, keepOwnCertificate: boolean): Promise<boolean> {
  const options = await readLocalOptions(dataDir);
  await mkdir(path.dirname(localOptionsFile(dataDir)), { recursive: true, mode: 0o700 });
  await writeFileAtomic(localOptionsFile(dataDir), `${JSON.stringify({ ...options, keepOwnCertificate }, null, 2)}\n`);
  return keepOwnCertificate;
}
