/**
 * Which cluster this node belongs to, when it joined one: `cluster.json` in the data directory
 * (mode 0600: it holds the shared database's password). The supervisor reads it on every
 * (re)start to choose between the cluster's database and the built-in one.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const ZMembership = z.object({
  clusterId: z.string().uuid(),
  clusterName: z.string(),
  databaseUrl: z.string().url(),
  seedUrl: z.string().url(),
  joinedAt: z.string(),
});
export type TMembership = z.infer<typeof ZMembership>;

const FILE = 'cluster.json';

export async function readMembership(dataDir: string): Promise<TMembership | undefined> {
  const file = path.join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  return ZMembership.parse(JSON.parse(await readFile(file, 'utf8')));
}

export async function writeMembership(dataDir: string, membership: TMembership): Promise<void> {
  await writeFileAtomic(path.join(dataDir, FILE), `${JSON.stringify(membership, null, 2)}\n`, 0o600);
}

export async function removeMembership(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, FILE), { force: true });
}
