import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, localMigrations, migrationsUpToDate } from '@/lib/db/migrate';
import { parseConnectionString } from '@/lib/db/connection-string';
import { createTestDatabase, withClient } from '../helpers/database';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('migrations', () => {
  it('apply to an empty database, and again without change', async () => {
    const url = await createTestDatabase({ migrated: false });
    await applyMigrations(url);
    await applyMigrations(url);
    const tables = await withClient(url, async (client) =>
      (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
        (row) => row.tablename,
      ),
    );
    expect(tables).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'api_token', 'app_user', 'login_throttle', 'shared_secret']),
    );
  });

  it('are found up to date only when every local one is applied and none failed (else the CLI runs)', async () => {
    const url = await createTestDatabase({ migrated: false });
    const connection = parseConnectionString(url);
    expect(await migrationsUpToDate(connection)).toBe(false); // no _prisma_migrations table yet
    await applyMigrations(url);
    expect(await migrationsUpToDate(connection)).toBe(true);

    const [first, last] = [(await localMigrations())[0], (await localMigrations()).at(-1)!];
    const saved = await withClient(url, async (client) => {
      const row = (await client.query('SELECT * FROM _prisma_migrations WHERE migration_name = $1', [last])).rows[0];
      await client.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [last]);
      return row as Record<string, unknown>;
    });
    // the newest migration is missing (a pull brought it): pending
    expect(await migrationsUpToDate(connection)).toBe(false);
    await withClient(url, (client) =>
      client.query(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [saved.id, saved.checksum, saved.finished_at, saved.migration_name, saved.started_at, saved.applied_steps_count],
      ),
    );
    expect(await migrationsUpToDate(connection)).toBe(true);
    // a migration that failed half-way: migrate deploy must see it and refuse, so the CLI runs
    await withClient(url, (client) =>
      client.query('UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1', [first]),
    );
    expect(await migrationsUpToDate(connection)).toBe(false);
    await expect(applyMigrations(url)).rejects.toThrow(/migrating .* failed/);
  });

  it('match the schema (drift check)', async () => {
    const url = await createTestDatabase({ migrated: false });
    const result = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/prisma/build/index.js'),
        'migrate',
        'diff',
        '--from-migrations',
        'prisma/migrations',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--exit-code',
        '--script',
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' },
    );
    // 0 = in sync, 2 = the schema has changes that no migration holds
    expect(result.status, `schema and migrations differ:\n${result.stdout}${result.stderr}`).toBe(0);
  });
});
