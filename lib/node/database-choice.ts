/**
 * The database an administrator chose from the console, kept in the data directory (each file
 * 0600, like cluster.json: they hold the password):
 * - `database-url`: the URL this node uses; it takes precedence over the launcher's
 *   --database-url(-file) and ORCH_DATABASE_URL, so that a node whose cluster was moved to new
 *   credentials does not go back to the old ones when its launcher is started again;
 * - `database-use.json`: a *Use this database* the supervisor carries out at the next start;
 * - `database-url.next`: the URL of a *Move the whole cluster*, tested by this node, that it
 *   switches to at its next restart (the rolling reset makes that one node at a time);
 * - `database-change.json`: how the last use or move ended (no URL in it), for the console.
 * The server writes the requests; only the supervisor turns them into the database in use.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@/lib/node/data-dir';

const FILES = {
  url: 'database-url',
  use: 'database-use.json',
  next: 'database-url.next',
  change: 'database-change.json',
} as const;

export const ZUseRequest = z.object({
  url: z.string().min(1),
  copyData: z.boolean(),
  requestedBy: z.string(),
  requestedAt: z.string(),
});
export type TUseRequest = z.infer<typeof ZUseRequest>;

export const ZDatabaseChange = z.object({
  operation: z.enum(['use', 'move']),
  outcome: z.enum(['done', 'failed']),
  /** one line, never the password */
  message: z.string(),
  at: z.string(),
});
export type TDatabaseChange = z.infer<typeof ZDatabaseChange>;

const fileOf = (dataDir: string, name: keyof typeof FILES) => path.join(dataDir, FILES[name]);

async function readText(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  const text = (await readFile(file, 'utf8')).trim();
  return text === '' ? undefined : text;
}

export const readChosenDatabaseUrl = (dataDir: string) => readText(fileOf(dataDir, 'url'));
export const writeChosenDatabaseUrl = (dataDir: string, url: string) =>
  writeFileAtomic(fileOf(dataDir, 'url'), `${url}\n`, 0o600);
export const removeChosenDatabaseUrl = (dataDir: string) => rm(fileOf(dataDir, 'url'), { force: true });

export async function readUseRequest(dataDir: string): Promise<TUseRequest | undefined> {
  const text = await readText(fileOf(dataDir, 'use'));
  return text === undefined ? undefined : ZUseRequest.parse(JSON.parse(text));
}
export const writeUseRequest = (dataDir: string, request: TUseRequest) =>
  writeFileAtomic(fileOf(dataDir, 'use'), `${JSON.stringify(request)}\n`, 0o600);
export const removeUseRequest = (dataDir: string) => rm(fileOf(dataDir, 'use'), { force: true });

export const readStagedDatabaseUrl = (dataDir: string) => readText(fileOf(dataDir, 'next'));
export const writeStagedDatabaseUrl = (dataDir: string, url: string) =>
  writeFileAtomic(fileOf(dataDir, 'next'), `${url}\n`, 0o600);
export const removeStagedDatabaseUrl = (dataDir: string) => rm(fileOf(dataDir, 'next'), { force: true });

export async function readDatabaseChange(dataDir: string): Promise<TDatabaseChange | undefined> {
  const text = await readText(fileOf(dataDir, 'change')).catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = ZDatabaseChange.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}
export const writeDatabaseChange = (dataDir: string, change: Omit<TDatabaseChange, 'at'>) =>
  writeFileAtomic(fileOf(dataDir, 'change'), `${JSON.stringify({ ...change, at: new Date().toISOString() })}\n`, 0o600);
export const removeDatabaseChange = (dataDir: string) => rm(fileOf(dataDir, 'change'), { force: true });
