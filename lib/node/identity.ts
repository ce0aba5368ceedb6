/**
 * This node's identity: a stable id, a name and the URL other nodes and browsers reach it at.
 * It lives in the data directory (node.json), so it survives restarts; --name and --advertise
 * given on a later start replace the stored values. An advertised URL the node chose itself (no
 * --advertise ever given) is chosen again on every start, so it follows --listen and the host;
 * its scheme is set again by the server at each of its starts, from the certificate it serves
 * (advertisedUrlAtStart in lib/node/advertise.ts), so node.json may still say http:// for a
 * server that advertises https:// since a certificate pushed with a reset.
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
  /** true when the URL came from --advertise; absent in files written before the default was chosen per host */
  advertiseChosen: z.boolean().optional(),
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
  options: { port: number; name?: string; advertiseUrl?: string; defaultAdvertiseUrl: string },
): Promise<TNodeIdentity> {
  const stored = await readIdentity(dataDir);
  // the old default (written before the per-host choice) is a default, not an operator's choice
  const storedChoice =
    stored && (stored.advertiseChosen ?? stored.advertiseUrl !== `http://localhost:${options.port}`)
      ? stored.advertiseUrl
      : undefined;
  const advertiseUrl = options.advertiseUrl ?? storedChoice;
  const identity: TNodeIdentity = {
    id: stored?.id ?? randomUUID(),
    name: options.name ?? stored?.name ?? `${os.hostname()}-${options.port}`,
    advertiseUrl: advertiseUrl ?? options.defaultAdvertiseUrl,
    advertiseChosen: advertiseUrl !== undefined,
    createdAt: stored?.createdAt ?? new Date().toISOString(),
  };
  if (JSON.stringify(identity) !== JSON.stringify(stored)) {
    await writeFileAtomic(path.join(dataDir, FILE), `${JSON.stringify(identity, null, 2)}\n`);
  }
  return identity;
}
