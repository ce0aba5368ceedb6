import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
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
