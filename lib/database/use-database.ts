/**
 * *Use this database*: a standalone node leaves its built-in database for an external one.
 * The server checks everything that can be checked while the node runs (the connection checks,
 * that the database holds no cluster and no other tables) and refuses with one line, changing
 * nothing; then it records the request in the data directory and restarts. The supervisor
 * carries it out while no server writes to the built-in database: migrations on the new
 * database, the copy of every row (optional) with its counts verified, and only then the new
 * URL in the data directory. Any failure leaves the node on its built-in database as it was.
 */
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { parseConnectionString, redactConnectionString } from '@/lib/db/connection-string';
import { applyMigrations } from '@/lib/db/migrate';
import { copyDatabase, primaryClient } from '@/lib/database/copy-database';
import { testDatabase } from '@/lib/database/test-database';
import {
  removeDatabaseChange,
  removeUseRequest,
  writeChosenDatabaseUrl,
  writeDatabaseChange,
  writeUseRequest,
  type TUseRequest,
} from '@/lib/node/database-choice';
import type { TNodeRuntime } from '@/lib/node/runtime';

export const ZDatabaseUse = z
  .object({
    url: z.string().min(1, 'give the connection string of the database to use').max(4096),
    copyData: z.boolean().default(false),
  })
  .strict();
export type TDatabaseUse = z.infer<typeof ZDatabaseUse>;

export type TDatabaseUseAccepted = { url: string; copyData: boolean; restarting: true };

/** The connection checks, then: no cluster in it (that is Join). One line naming the first problem. */
export async function checkDatabaseForUse(url: string): Promise<void> {
  const result = await testDatabase({ url, nodeCount: 1 });
  const failed = result.checks.find((check) => !check.ok);
  if (failed)
    throw new AppError('DATABASE_REFUSED', `${result.url}: ${failed.name} check failed: ${failed.detail}`, { field: 'url' });
  const client = await primaryClient(url);
  try {
    const { rows: tables } = await client.query<{ cluster: string | null }>(
      `SELECT to_regclass('public.cluster')::text AS cluster`,
    );
    if (tables[0].cluster === null) return;
    const { rows } = await client.query<{ name: string; cluster_id: string }>(
      'SELECT name, cluster_id::text FROM cluster LIMIT 1',
    );
    if (rows.length > 0) {
      throw new AppError(
        'DATABASE_REFUSED',
        `${result.url} already holds cluster "${rows[0].name}" (${rows[0].cluster_id}): to add this node to it, use Join`,
        {
          field: 'url',
        },
      );
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's half: refuse or record the request, then restart. */
export async function requestUseDatabase(
  runtime: TNodeRuntime,
  db: TDb,
  request: TDatabaseUse,
  actor: string,
): Promise<TDatabaseUseAccepted> {
  if (!runtime.standalone) {
    throw new AppError(
      'CONFLICT',
      'this node does not run on its built-in database; to change the database of its cluster, use Move the whole cluster',
    );
  }
  const others = await db.clusterNode.count({ where: { removedAt: null, id: { not: runtime.identity.id } } });
  if (others > 0)
    throw new AppError('CONFLICT', `${others} other node(s) share this node's built-in database; remove them first`);
  const shown = redactConnectionString(parseConnectionString(request.url));
  await checkDatabaseForUse(request.url);
  await writeUseRequest(runtime.dataDir, {
    url: request.url,
    copyData: request.copyData,
    requestedBy: actor,
    requestedAt: new Date().toISOString(),
  });
  await removeDatabaseChange(runtime.dataDir);
  runtime.requestRestart(`switching to the database ${shown}`);
  return { url: shown, copyData: request.copyData, restarting: true };
}

/**
 * The supervisor's half, while no server runs: true when the node now uses the new database.
 * The request is gone afterwards either way; the outcome is in database-change.json.
 */
export async function carryOutUseRequest(
  dataDir: string,
  builtInUrl: string,
  request: TUseRequest,
  log: (line: string) => void,
): Promise<boolean> {
  const shown = redactConnectionString(parseConnectionString(request.url));
  try {
    // minutes may have passed: the database is checked again before anything is written to it
    await checkDatabaseForUse(request.url);
    await applyMigrations(request.url);
    let message = `this node uses ${shown} now (requested by ${request.requestedBy})`;
    if (request.copyData) {
      const copied = await copyDatabase(builtInUrl, request.url, log);
      message += `; ${copied.reduce((sum, table) => sum + table.rows, 0)} rows in ${copied.length} tables copied, every count verified`;
    }
    await writeChosenDatabaseUrl(dataDir, request.url);
    await writeDatabaseChange(dataDir, { operation: 'use', outcome: 'done', message });
    log(message);
    return true;
  } catch (error) {
    const reason = hidePassword(error instanceof Error ? error.message : String(error), request.url);
    const message = `using ${shown} failed: ${reason}; this node stays on its built-in database`;
    await writeDatabaseChange(dataDir, { operation: 'use', outcome: 'failed', message });
    log(message);
    return false;
  } finally {
    await removeUseRequest(dataDir);
  }
}

export function hidePassword(text: string, url: string): string {
  const password = parseConnectionString(url).password;
  return password ? text.replaceAll(password, '***') : text;
}
