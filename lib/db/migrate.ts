/**
 * Applies the migrations in prisma/migrations with the Prisma CLI (offline, through its
 * WebAssembly engine; see prisma.config.ts). Safe when several nodes start at once: the CLI
 * holds a PostgreSQL advisory lock while it migrates. The CLI connects to one host: with several
 * (db1:5432,db2:5432), it is given the one that is the writable primary now.
 *
 * Every node start calls this, and nearly always every migration is in already: one query finds
 * that out, and the CLI (about a second of CPU) runs only when something is left to do, or when
 * the query cannot tell (no table yet, a failed migration, an error): then the CLI decides and
 * reports, as before.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import { inheritedEnv } from '@/lib/env';
import { PRISMA_CLI, PROJECT_ROOT } from '@/lib/node/paths';
import { hostClientConfig, parseConnectionString, singleHostUrl, type TConnectionString } from '@/lib/db/connection-string';
import { findPrimary } from '@/lib/db/primary';
import { redactDatabaseUrl } from '@/lib/db/url';

const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');

/** The migrations this checkout holds: the folders with a migration.sql, as the CLI counts them. */
export async function localMigrations(): Promise<string[]> {
  const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const withSql = await Promise.all(
    folders.map(async (folder) =>
      (await readdir(path.join(MIGRATIONS_DIR, folder.name))).includes('migration.sql') ? [folder.name] : [],
    ),
  );
  return withSql.flat().sort();
}

/**
 * Whether the database has every local migration applied and none failed or half-done (what the
 * CLI's `migrate deploy` would find nothing to do in). Anything else, or any error, is "no".
 */
export async function migrationsUpToDate(connection: TConnectionString, primary = connection.hosts[0]): Promise<boolean> {
  const client = new pg.Client(hostClientConfig(connection, primary));
  client.on('error', () => {}); // a connection lost after the answer: nothing to do with it
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; applied: boolean }>(
      `SELECT migration_name, finished_at IS NOT NULL AS applied
         FROM public._prisma_migrations WHERE rolled_back_at IS NULL`,
    );
    if (rows.some((row) => !row.applied)) return false;
    const applied = new Set(rows.map((row) => row.migration_name));
    return (await localMigrations()).every((name) => applied.has(name));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function applyMigrations(databaseUrl: string): Promise<void> {
  const connection = parseConnectionString(databaseUrl);
  const primary = connection.hosts.length === 1 ? connection.hosts[0] : await findPrimary(connection);
  if (await migrationsUpToDate(connection, primary)) return;
  const primaryUrl = connection.hosts.length === 1 ? databaseUrl : singleHostUrl(connection, primary);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, 'migrate', 'deploy'], {
      cwd: PROJECT_ROOT,
      env: inheritedEnv({ DATABASE_URL: primaryUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const lines = output
      .join('')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const reason = lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? `exit code ${code}`;
    throw new AppError('MIGRATION_FAILED', `migrating ${redactDatabaseUrl(databaseUrl)} failed: ${redact(reason, databaseUrl)}`);
  }
}

function redact(text: string, databaseUrl: string): string {
  const { password } = parseConnectionString(databaseUrl);
  return password ? text.replaceAll(password, '***') : text;
}
