/**
 * The cluster's secrets key: 32 random bytes that encrypt workflow secrets at rest (AES-256-GCM,
 * lib/secrets/secret-box.ts). It lives only in the nodes' data directories
 * (secrets/cluster.key, 0600 in a 0700 folder) and reaches a joining node in its join bundle, like
 * the certificate's key; the database holds only ciphertext and the key's id (a hash), so a copy
 * of the database alone reveals no secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const CLUSTER_KEY_FILE = path.join('secrets', 'cluster.key');

export type TClusterKey = { key: Buffer; id: string };

/** The key's id: the first 16 hex digits of its SHA-256 (names the key, reveals nothing of it). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function parseKey(text: string): TClusterKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${CLUSTER_KEY_FILE} does not hold a 32-byte key`);
  return { key, id: keyId(key) };
}

export async function readClusterKey(dataDir: string): Promise<TClusterKey | null> {
  const file = path.join(dataDir, CLUSTER_KEY_FILE);
  if (!existsSync(file)) return null;
  return parseKey(await readFile(file, 'utf8'));
}

/** Writes a key received in a join bundle (base64). */
export async function writeClusterKey(dataDir: string, base64: string): Promise<void> {
  parseKey(base64);
  await mkdir(path.join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(dataDir, CLUSTER_KEY_FILE), `${base64.trim()}\n`, 0o600);
}

/** This node's key, made on first need. */
export async function ensureClusterKey(dataDir: string): Promise<TClusterKey> {
  const existing = await readClusterKey(dataDir);
  if (existing) return existing;
  const base64 = randomBytes(32).toString('base64');
  await writeClusterKey(dataDir, base64);
  return parseKey(base64);
}
