/**
 * Options that belong to this node alone and are never pushed: `<dataDir>/config/local.json`.
 * `keepOwnCertificate`: a push does not overwrite this node's certificate, and its certificate
 * does not count against the reference when the cluster compares configurations.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const NODE_OPTIONS_FILE = path.join('config', 'local.json');

export const ZNodeOptions = z.object({ keepOwnCertificate: z.boolean().default(false) }).strict();
export type TNodeOptions = z.infer<typeof ZNodeOptions>;

export async function readNodeOptions(dataDir: string): Promise<TNodeOptions> {
  const file = path.join(dataDir, NODE_OPTIONS_FILE);
  if (!existsSync(file)) return ZNodeOptions.parse({});
  const parsed = ZNodeOptions.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '{}')));
  return parsed.success ? parsed.data : ZNodeOptions.parse({});
}

export async function writeNodeOptions(dataDir: string, options: TNodeOptions): Promise<void> {
  await writeFileAtomic(path.join(dataDir, NODE_OPTIONS_FILE), `${JSON.stringify(ZNodeOptions.parse(options), null, 2)}\n`);
}
