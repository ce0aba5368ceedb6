/**
 * Workflow secrets through the API: set (sealed on this node with the cluster key), list (names
 * and who changed them when — never a value), remove. No answer, page, log, event or export ever
 * holds a value: the only reader is an http element's call (lib/workflow/run-element.ts), and
 * what comes back from it is masked.
 */
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { ensureClusterKey, readClusterKey } from '@/lib/secrets/cluster-key';
import { openSecret, sealSecret } from '@/lib/secrets/secret-box';

export const ZSecretName = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'must hold only letters, digits, "_", "." and "-"');
export const ZSecretNameParam = z.object({
  name: z
    .string()
    .transform((name) => decodeURIComponent(name))
    .pipe(ZSecretName),
});
export const ZSecretPut = z
  .object({
    value: z
      .string()
      .min(1, 'must not be empty')
      .max(16 * 1024, 'must be at most 16384 characters'),
  })
  .strict();

export type TSecretView = { name: string; keyId: string; updatedBy: string; updatedAt: string };

export async function listSecrets(db: TDb): Promise<TSecretView[]> {
  const rows = await db.workflowSecret.findMany({ orderBy: { name: 'asc' } });
  return rows.map((row) => ({
    name: row.name,
    keyId: row.keyId,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  }));
}

export async function putSecret(db: TDb, dataDir: string, name: string, value: string, actor: string): Promise<TSecretView> {
  if (value.includes('\u0000'))
    throw new AppError('VALIDATION', 'value must not contain the character U+0000', { field: 'value' });
  // every secret is sealed with the one cluster key: a node without it, or with another, must not start a second one
  const other = await db.workflowSecret.findFirst({ select: { keyId: true } });
  const held = await readClusterKey(dataDir);
  if (other && held?.id !== other.keyId) {
    throw new AppError(
      'CONFLICT',
      `the secrets are sealed with cluster key ${other.keyId}, which this node does not hold (${held ? `it holds ${held.id}` : 'it holds none'}); set secrets on a node that joined the cluster`,
    );
  }
  const key = held ?? (await ensureClusterKey(dataDir));
  const sealed = sealSecret(key.key, name, value);
  const row = await db.workflowSecret.upsert({
    where: { name },
    create: { name, sealed, keyId: key.id, updatedBy: actor },
    update: { sealed, keyId: key.id, updatedBy: actor, updatedAt: new Date() },
  });
  return { name: row.name, keyId: row.keyId, updatedBy: row.updatedBy, updatedAt: row.updatedAt.toISOString() };
}

export async function deleteSecret(db: TDb, name: string): Promise<{ deleted: string }> {
  const { count } = await db.workflowSecret.deleteMany({ where: { name } });
  if (count === 0) throw new AppError('NOT_FOUND', `no secret is named "${name}"`);
  return { deleted: name };
}

/**
 * The values of the named secrets, opened with this node's key. Throws a message naming the
 * secret when it does not exist or was sealed with a key this node does not hold.
 */
export async function openSecrets(
  rows: { name: string; sealed: string; keyId: string }[],
  names: string[],
  dataDir: string,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (names.length === 0) return values;
  const key = await readClusterKey(dataDir);
  for (const name of names) {
    const row = rows.find((item) => item.name === name);
    if (!row) throw new Error(`no secret is named "${name}"`);
    if (!key || key.id !== row.keyId) {
      throw new Error(
        `secret "${name}" is sealed with cluster key ${row.keyId}, which this node does not hold (${key ? `it holds ${key.id}` : 'it holds none'}); a node receives the key when it joins`,
      );
    }
    values.set(name, openSecret(key.key, name, row.sealed));
  }
  return values;
}

/** Every occurrence of a secret's value in a text, replaced by "***". */
export function maskSecrets(text: string, values: Iterable<string>): string {
  let masked = text;
  for (const value of values) if (value.length > 0) masked = masked.split(value).join('***');
  return masked;
}
