/**
 * This node's identity: a stable id, a name and the URL other nodes and browsers reach it at.
 * It lives in the data directory (node.json), so it survives restarts; --name and --advertise
 * given on a later start replace the stored values.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const ZNodeIdentity = z.object({
  id: z.string().uuid(),
  name: z.string().min(1).max(100),
  advertiseUrl: z.string().url(),
  createdAt: z.string(),
});
export type TNodeIdentity = z.infer<typeof ZNodeIdentity>;

const FILE = 'node.json';

export async function readIdentity(dataDir: string): Promise<TNodeIdentity | undefined> {
  const file = path.join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  return ZNodeIdentity.parse(JSON.parse(await readFile(file, 'utf8')));
}

export async function loadOrCreateIdentity(
  dataDir: string,
  options: { port: number; name?: string; advertiseUrl?: string },
): Promise<TNodeIdentity> {
  const stored = await readIdentity(dataDir);
  const identity: TNodeIdentity = {
    id: stored?.id ?? randomUUID(),
    name: options.name ?? stored?.name ?? `${os.hostname()}-${options.port}`,
    advertiseUrl: options.advertiseUrl ?? stored?.advertiseUrl ?? `http://localhost:${options.port}`,
    createdAt: stored?.createdAt ?? new Date().toISOString(),
  };
  if (JSON.stringify(identity) !== JSON.stringify(stored)) {
    await writeFileAtomic(path.join(dataDir, FILE), `${JSON.stringify(identity, null, 2)}\n`);
  }
  return identity;
}
