/**
 * The pushed configuration version this node last wrote into its data directory
 * (`<dataDir>/config/reference.json`): its baseline for "local changes", and the certificate a
 * node that keeps its own compares as if it had.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeReceivedFile } from '@/lib/config/write-received-file';
import type { TConfigDocument } from '@/lib/config/document';

export const APPLIED_REFERENCE_FILE = path.join('config', 'reference.json');

const ZAppliedReference = z.object({
  version: z.number().int().positive(),
  fingerprint: z.string(),
  document: z.custom<TConfigDocument>((value) => typeof value === 'object' && value !== null),
});
export type TAppliedReference = z.infer<typeof ZAppliedReference>;

export async function readAppliedReference(dataDir: string): Promise<TAppliedReference | null> {
  const file = path.join(dataDir, APPLIED_REFERENCE_FILE);
  if (!existsSync(file)) return null;
  const parsed = ZAppliedReference.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => 'null')));
  return parsed.success ? parsed.data : null;
}

/** Its content comes from the database: written by the one writer for received files. */
export async function writeAppliedReference(dataDir: string, reference: TAppliedReference): Promise<void> {
  await writeReceivedFile(dataDir, path.join(dataDir, APPLIED_REFERENCE_FILE), `${JSON.stringify(reference, null, 2)}\n`);
}
