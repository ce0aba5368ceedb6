/**
 * The driver adapter that the Prisma CLI's WebAssembly schema engine uses (prisma.config.ts).
 * The application never imports this file. It works around three gaps of adapter-pg 6.x, so
 * that `migrate deploy/diff/status` run without downloading the native schema engine.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory, SqlQueryable, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import type { QueryResult } from 'pg';

const PG_NAME = 19;
const PG_CHAR = 18;
const PG_TEXT = 25;

type PgQueryable = SqlQueryable & {
  performIO(query: SqlQuery): Promise<QueryResult>;
  startTransaction?: (isolationLevel?: string) => Promise<SqlQueryable>;
  executeScript?: (script: string) => Promise<void>;
  underlyingDriver?: () => { query(sql: string): Promise<unknown> };
};

// Introspection returns `name` and `"char"` catalog columns that adapter-pg rejects
// (prisma/orm#27403): report them as text, and mark "char" columns as Character.
function acceptCatalogTypes<T extends PgQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw;
  queryable.queryRaw = async function (this: T, query: SqlQuery): Promise<SqlResultSet> {
    const charColumns: number[] = [];
    const performIO = this.performIO;
    const view = Object.create(this) as T;
    view.performIO = async (q: SqlQuery) => {
      const result = await performIO.call(this, q);
      result.fields.forEach((field, index) => {
        if (field.dataTypeID === PG_CHAR) charColumns.push(index);
        if (field.dataTypeID === PG_CHAR || field.dataTypeID === PG_NAME) field.dataTypeID = PG_TEXT;
      });
      return result;
    };
    const result = await queryRaw.call(view, query);
    for (const index of charColumns) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  const startTransaction = queryable.startTransaction;
  if (startTransaction) {
    queryable.startTransaction = async function (this: T, isolationLevel?: string) {
      return acceptCatalogTypes((await startTransaction.call(this, isolationLevel)) as PgQueryable);
    };
  }
  // adapter-pg splits scripts on ';', which breaks function bodies and string literals;
  // PostgreSQL's simple-query protocol runs a multi-statement script as one request.
  const driver = queryable.underlyingDriver?.();
  if (queryable.executeScript && driver) {
    queryable.executeScript = async (script: string) => {
      await driver.query(script);
    };
  }
  return queryable;
}

export function createMigrateAdapter(databaseUrl: string): SqlMigrationAwareDriverAdapterFactory {
  const url = new URL(databaseUrl);
  // Discrete fields, not a connection string: the shadow database pool is built as
  // `{ ...config, database }`, which a connectionString would silently override.
  const config = {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
    // idle pooled connections would keep every CLI command alive for pg's 10 s idle timeout
    allowExitOnIdle: true,
  };
  const inner = new PrismaPg(config);
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => acceptCatalogTypes((await inner.connect()) as unknown as PgQueryable) as never,
    // adapter-pg drops the shadow database while its own pool is still connected to it, which
    // PostgreSQL refuses; close the pool first, then drop.
    connectToShadowDb: async () => {
      const main = await inner.connect();
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = (await new PrismaPg({ ...config, database }).connect()) as unknown as PgQueryable & {
        dispose(): Promise<void>;
      };
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await main.dispose();
      };
      return acceptCatalogTypes(shadow) as never;
    },
  };
}
