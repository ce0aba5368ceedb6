/**
 * Copies every row of this product's tables from one database into another that has the same
 * migrations applied and holds none of those rows: users and tokens, workflows and run history,
 * configuration versions and blobs, events, audit, notifications. The source is read in one
 * snapshot; the target is written in one transaction that commits only when every table holds
 * exactly as many rows as the snapshot did, so a failure anywhere leaves the target as it was.
 */
import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import { hostClientConfig, parseConnectionString } from '@/lib/db/connection-string';
import { findPrimary } from '@/lib/db/primary';

export type TCopiedTable = { table: string; rows: number };

/** Prisma's own bookkeeping: the target has its own, written by the migrations. */
const NOT_COPIED = new Set(['_prisma_migrations']);
/** Rows the migrations themselves insert (the active slots, the one authentication row): the copy replaces them with the source's. */
const SEEDED_BY_MIGRATIONS = new Set(['active_slot', 'auth_config']);
const BATCH_ROWS = 200;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Tables in an order that inserts every referenced row before the rows that reference it. */
async function tablesInInsertOrder(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const names = tables.map((table) => table.name).filter((name) => !NOT_COPIED.has(name));
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const reference of references) if (reference.child === name) visit(reference.parent);
    ordered.push(name);
  };
  for (const name of names) visit(name);
  return ordered.filter((name) => names.includes(name));
}

async function countRows(client: pg.Client, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`);
  return Number(rows[0].n);
}

/** Sequences behind autoincrement columns continue after the copied ids. */
async function advanceSequences(target: pg.Client, table: string): Promise<void> {
  const { rows } = await target.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND column_default LIKE 'nextval(%'`,
    [table],
  );
  for (const { column_name: column } of rows) {
    await target.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
      [quote(table), column],
    );
  }
}

/** A client on the writable primary of a (possibly multi-host) connection string. */
export async function primaryClient(url: string): Promise<pg.Client> {
  const connection = parseConnectionString(url);
  const client = new pg.Client(hostClientConfig(connection, await findPrimary(connection), { connectTimeoutMs: 5_000 }));
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function copyDatabase(
  sourceUrl: string,
  targetUrl: string,
  log: (line: string) => void = () => {},
): Promise<TCopiedTable[]> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  let table = '';
  try {
    source = await primaryClient(sourceUrl);
    target = await primaryClient(targetUrl);
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await target.query('BEGIN');
    const copied: TCopiedTable[] = [];
    for (table of await tablesInInsertOrder(source)) {
      const expected = await countRows(source, table);
      // copied rows are history: the notification triggers must not send their events again
      await target.query(`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`);
      if (SEEDED_BY_MIGRATIONS.has(table)) await target.query(`DELETE FROM ${quote(table)}`);
      await source.query(`DECLARE copy_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${quote(table)} t`);
      for (;;) {
        const { rows } = await source.query<{ row: string }>(`FETCH ${BATCH_ROWS} FROM copy_rows`);
        if (rows.length === 0) break;
        // the rows travel as JSON text, never through JavaScript numbers: bigints and bytes stay exact
        await target.query(`INSERT INTO ${quote(table)} SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`, [
          `[${rows.map((row) => row.row).join(',')}]`,
        ]);
      }
      await source.query('CLOSE copy_rows');
      await target.query(`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`);
      await advanceSequences(target, table);
      const written = await countRows(target, table);
      if (written !== expected) throw new Error(`${written} rows arrived of ${expected}`);
      copied.push({ table, rows: expected });
    }
    table = '';
    await target.query('COMMIT');
    log(`copied ${copied.reduce((sum, entry) => sum + entry.rows, 0)} rows in ${copied.length} tables, every count verified`);
    return copied;
  } catch (error) {
    await target?.query('ROLLBACK').catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('DATABASE_COPY_FAILED', `copying the data failed${table ? ` at table ${table}` : ''}: ${reason}`, {
      cause: error,
    });
  } finally {
    await source?.end().catch(() => {});
    await target?.end().catch(() => {});
  }
}
