/**
 * Tests a connection string before anyone uses it: each check is one line, passed or failed with
 * the reason. Nothing is changed on the server (the test table is created in a transaction that
 * is rolled back), and the password appears in no detail.
 */
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import pg from 'pg';
import { z } from 'zod';
import {
  formatHost,
  hostClientConfig,
  parseConnectionString,
  redactConnectionString,
  type TConnectionString,
} from '@/lib/db/connection-string';
import { probeHost, type THostProbe } from '@/lib/db/primary';
import type { TDb } from '@/lib/db/client';

export const MIN_SERVER_VERSION = 140000;
/**
 * Connections one node may hold: the Prisma pool (10), the cluster agent's pool (3), the
 * workflow runner's pool (up to 10) and the supervisor's one.
 */
export const CONNECTIONS_PER_NODE = 24;
/** Tables of this product: a database holding only these (and Prisma's bookkeeping) is ours. */
const OWN_TABLE = '_prisma_migrations';

export const ZDatabaseTest = z.object({ url: z.string().min(1, 'give the connection string to test').max(4096) }).strict();
export type TDatabaseTest = z.infer<typeof ZDatabaseTest>;

export const CHECK_NAMES = [
  'url',
  'reachable',
  'writable',
  'version',
  'create-tables',
  'empty-or-ours',
  'max-connections',
  'tls',
] as const;
export type TCheck = { name: (typeof CHECK_NAMES)[number]; ok: boolean; detail: string };
export type TDatabaseTestResult = { url: string; ok: boolean; checks: TCheck[] };

type TTestOptions = { url: string; nodeCount: number; timeoutMs?: number };

export async function testDatabase({ url, nodeCount, timeoutMs = 5_000 }: TTestOptions): Promise<TDatabaseTestResult> {
  // a malformed URL is refused by the parser with one line (AppError BAD_REQUEST): nothing to test
  const connection = parseConnectionString(url);
  const checks: TCheck[] = [
    {
      name: 'url',
      ok: true,
      detail: `${connection.hosts.length} host(s), target_session_attrs=${connection.targetSessionAttrs}, sslmode=${connection.sslMode}`,
    },
  ];
  const finish = (): TDatabaseTestResult => ({
    url: redactConnectionString(connection),
    ok: checks.every((check) => check.ok),
    checks,
  });

  const probes: THostProbe[] = [];
  for (const host of connection.hosts) probes.push(await probeHost(connection, host, timeoutMs));
  const reachable = probes.filter((probe): probe is Exclude<THostProbe, { state: 'failed' }> => probe.state !== 'failed');
  checks.push({
    name: 'reachable',
    ok: reachable.length > 0,
    detail: probes
      .map((probe) => `${formatHost(probe.host)}: ${probe.state === 'failed' ? probe.reason : 'connected'}`)
      .join('; '),
  });
  if (reachable.length === 0) return skipRest(checks, finish, 'no host could be reached');

  const chosen = reachable.find((probe) => probe.state === 'fits') ?? reachable[0];
  const standby = chosen.inRecovery || chosen.readOnly;
  checks.push({
    name: 'writable',
    ok: !standby,
    detail: standby
      ? `${formatHost(chosen.host)} is a read-only standby${chosen.inRecovery ? ' (in recovery)' : ' (default_transaction_read_only is on)'}; the cluster needs the writable primary`
      : `${formatHost(chosen.host)} is the writable primary`,
  });

  const client = new pg.Client({
    ...hostClientConfig(connection, chosen.host, { connectTimeoutMs: timeoutMs }),
    query_timeout: timeoutMs * 2,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    checks.push(await checkVersion(client));
    checks.push(await checkCreateTables(client));
    checks.push(await checkOwnership(client));
    checks.push(await checkMaxConnections(client, nodeCount));
    checks.push(await checkTls(client, connection, chosen.host.host));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return skipRest(checks, finish, `the connection to ${formatHost(chosen.host)} failed: ${reason}`);
  } finally {
    await client.end().catch(() => {});
  }
  return finish();
}

function skipRest(checks: TCheck[], finish: () => TDatabaseTestResult, why: string): TDatabaseTestResult {
  for (const name of CHECK_NAMES) {
    if (!checks.some((check) => check.name === name)) checks.push({ name, ok: false, detail: `not checked: ${why}` });
  }
  return finish();
}

async function checkVersion(client: pg.Client): Promise<TCheck> {
  const { rows } = await client.query<{ num: string; version: string }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`,
  );
  const ok = Number(rows[0].num) >= MIN_SERVER_VERSION;
  return { name: 'version', ok, detail: ok ? `PostgreSQL ${rows[0].version}` : `PostgreSQL ${rows[0].version} is older than 14` };
}

async function checkCreateTables(client: pg.Client): Promise<TCheck> {
  const table = `orch_probe_${randomBytes(4).toString('hex')}`;
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${table} (id int)`);
    return { name: 'create-tables', ok: true, detail: 'this user may create tables (tried in a transaction, rolled back)' };
  } catch (error) {
    return { name: 'create-tables', ok: false, detail: `this user may not create tables: ${(error as Error).message}` };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

async function checkOwnership(client: pg.Client): Promise<TCheck> {
  const { rows } = await client.query<{ name: string }>(
    // the catalog, not information_schema (which shows only the tables this user may use): a
    // table of another owner counts too
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 1`,
  );
  if (rows.length === 0) return { name: 'empty-or-ours', ok: true, detail: 'the database is empty' };
  if (rows.some((row) => row.name === `public.${OWN_TABLE}`)) {
    const { rows: applied } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM public.${OWN_TABLE} WHERE finished_at IS NOT NULL`,
    );
    return { name: 'empty-or-ours', ok: true, detail: `holds this product's tables (${applied[0].n} migrations applied)` };
  }
  const sample = rows
    .slice(0, 3)
    .map((row) => row.name)
    .join(', ');
  return {
    name: 'empty-or-ours',
    ok: false,
    detail: `holds ${rows.length} other table(s) (${sample}${rows.length > 3 ? ', …' : ''}): use an empty database`,
  };
}

async function checkMaxConnections(client: pg.Client, nodeCount: number): Promise<TCheck> {
  const { rows } = await client.query<{ max: string; reserved: string }>(
    `SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved`,
  );
  const usable = Number(rows[0].max) - Number(rows[0].reserved);
  const nodes = Math.max(1, nodeCount);
  const needed = nodes * CONNECTIONS_PER_NODE;
  return {
    name: 'max-connections',
    ok: usable >= needed,
    detail: `${usable} usable connections (max_connections ${rows[0].max}); ${nodes} node(s) need up to ${needed}${usable >= needed ? '' : ': raise max_connections'}`,
  };
}

async function checkTls(client: pg.Client, connection: TConnectionString, host: string): Promise<TCheck> {
  const stream = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
  const encrypted = typeof stream.getPeerCertificate === 'function' && stream.encrypted === true;
  if (!encrypted) {
    const local = host === 'localhost' || host === '::1' || host.startsWith('127.');
    return {
      name: 'tls',
      ok: local,
      detail: local
        ? `not encrypted (sslmode=${connection.sslMode}); acceptable on this host's loopback`
        : `not encrypted (sslmode=${connection.sslMode}) to another host: use sslmode=verify-full`,
    };
  }
  const certificate = stream.getPeerCertificate();
  const subject = certificate.subject?.CN ?? '(no common name)';
  const verified = connection.sslMode === 'verify-full' || connection.sslMode === 'verify-ca';
  return {
    name: 'tls',
    ok: true,
    detail: `${stream.getProtocol?.() ?? 'TLS'}, sslmode=${connection.sslMode}, certificate ${subject} valid until ${certificate.valid_to}${verified ? ', verified' : ', not verified (use verify-full)'}`,
  };
}

/** The test as the API runs it: the cluster's members are the nodes that will share the database. */
export async function testDatabaseForCluster(db: TDb, url: string): Promise<TDatabaseTestResult> {
  const nodeCount = await db.clusterNode.count({ where: { removedAt: null } });
  return testDatabase({ url, nodeCount });
}
