/**
 * Following the writable primary of a multi-host connection string, as libpq does with
 * target_session_attrs: try the hosts in order, ask each whether it is in recovery, keep the
 * first that fits. node-postgres connects to one host only, so `createPrimaryPool` gives a
 * pg.Pool whose every new connection goes to the host found this way, and looks again after a
 * connection error.
 */
import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import {
  formatHost,
  hostClientConfig,
  parseConnectionString,
  satisfiesTarget,
  type TConnectionString,
  type THostPort,
  type TTargetSessionAttrs,
} from '@/lib/db/connection-string';

export const PROBE_TIMEOUT_MS = 3_000;

/** SQLSTATEs meaning "this server is no longer the writable primary": read-only transaction, shutting down, starting up. */
const LOST_PRIMARY_CODES = new Set(['25006', '57P01', '57P02', '57P03']);

export type THostProbe =
  | { host: THostPort; state: 'fits'; inRecovery: boolean; readOnly: boolean }
  | { host: THostPort; state: 'unfit'; inRecovery: boolean; readOnly: boolean }
  | { host: THostPort; state: 'failed'; reason: string };

/** Why a connection attempt failed, in words; never contains the password (pg's messages do not). */
export function describeConnectError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    case '28P01':
      return 'wrong password';
    case '28000':
      return `access refused: ${message}`;
    case '3D000':
      return message; // database "x" does not exist
    default:
      return /timeout/i.test(message) ? 'no answer within the connect timeout' : message;
  }
}

function describeUnfit(target: TTargetSessionAttrs, probe: { inRecovery: boolean; readOnly: boolean }): string {
  if (probe.inRecovery) return 'is a read-only standby (in recovery)';
  if (probe.readOnly) return 'is read-only (default_transaction_read_only is on)';
  return `is a writable primary, not what target_session_attrs=${target} asks for`;
}

/** Connects to one host and asks whether it is in recovery and read-only. */
export async function probeHost(
  connection: TConnectionString,
  host: THostPort,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<THostProbe> {
  const client = new pg.Client({
    ...hostClientConfig(connection, host, { connectTimeoutMs: timeoutMs }),
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ in_recovery: boolean; read_only: string }>(
      `SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only`,
    );
    const facts = { inRecovery: rows[0].in_recovery, readOnly: rows[0].read_only === 'on' };
    return { host, state: satisfiesTarget(connection.targetSessionAttrs, facts) ? 'fits' : 'unfit', ...facts };
  } catch (error) {
    return { host, state: 'failed', reason: describeConnectError(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The first host, in the order given, that fits target_session_attrs; AppError naming each host's reason otherwise. */
export async function findPrimary(
  connection: TConnectionString,
  options: { timeoutMs?: number; prefer?: THostPort } = {},
): Promise<THostPort> {
  const ordered = options.prefer
    ? [options.prefer, ...connection.hosts.filter((host) => formatHost(host) !== formatHost(options.prefer as THostPort))]
    : connection.hosts;
  const probes: THostProbe[] = [];
  for (const host of ordered) {
    const probe = await probeHost(connection, host, options.timeoutMs);
    if (probe.state === 'fits') return host;
    probes.push(probe);
  }
  const reasons = probes.map(
    (probe) =>
      `${formatHost(probe.host)} ${probe.state === 'failed' ? `failed: ${probe.reason}` : describeUnfit(connection.targetSessionAttrs, probe)}`,
  );
  const allUnfit = probes.every((probe) => probe.state === 'unfit');
  // one host that cannot be reached: its reason alone says it best
  const message =
    probes.length === 1 && !allUnfit
      ? reasons[0]
      : `no host fits target_session_attrs=${connection.targetSessionAttrs}: ${reasons.join('; ')}`;
  throw new AppError(allUnfit ? 'BAD_REQUEST' : 'DATABASE_UNREACHABLE', message, { field: 'url' });
}

/**
 * Which server a connection reached: its system identifier, and the timeline WAL is written on
 * (null on a server in recovery, which writes none). Neither can change while the connection
 * lasts: a running primary never changes timeline, and a promotion or a switch to another server
 * ends every connection. So it is read once, when the connection is made.
 */
export type TServerIdentity = { systemId: string; timeline: number | null };

const identities = new WeakMap<pg.Client, TServerIdentity>();

/** The identity read when this client connected (pools made with `readIdentity`), else undefined. */
export function serverIdentity(client: pg.Client | pg.PoolClient): TServerIdentity | undefined {
  return identities.get(client as pg.Client);
}

// pg_control_checkpoint()'s timeline lags behind a promotion until the next checkpoint; the
// name of the WAL file written now carries the current one (CASE: the function fails in recovery)
const CHECK_SQL = `SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only`;
const CHECK_WITH_IDENTITY_SQL = `${CHECK_SQL},
  (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
  CASE WHEN NOT pg_is_in_recovery() THEN ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline`;

/**
 * Reads a connection's identity again: for one made to a server in recovery (no timeline then),
 * which may have been promoted since. Remembered when the server writes WAL now.
 */
export async function readServerIdentity(client: pg.Client | pg.PoolClient, timeoutMs: number): Promise<TServerIdentity> {
  const { rows } = await client.query<{ system_id: string; timeline: number | null }>({
    text: CHECK_WITH_IDENTITY_SQL,
    query_timeout: timeoutMs,
  } as pg.QueryConfig);
  const identity = { systemId: String(rows[0].system_id), timeline: rows[0].timeline ?? null };
  if (identity.timeline !== null) identities.set(client as pg.Client, identity);
  return identity;
}

/** Remembers the current primary; forgets it when a connection to it fails, so the next connection looks again. */
export class PrimaryTracker {
  private current: THostPort | undefined;
  private lookup: Promise<THostPort> | undefined;

  constructor(
    readonly connection: TConnectionString,
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
  ) {}

  /** The host to connect to now; several callers share one lookup. */
  async primary(): Promise<THostPort> {
    if (this.current) return this.current;
    this.lookup ??= findPrimary(this.connection, { timeoutMs: this.timeoutMs })
      .then((host) => (this.current = host))
      .finally(() => (this.lookup = undefined));
    return this.lookup;
  }

  /** The host last found, without looking (undefined before the first connection or after a failure). */
  known(): THostPort | undefined {
    return this.current;
  }

  /** A connection to `host` failed or found it no longer writable: look again next time. */
  forget(host: THostPort): void {
    if (this.current && formatHost(this.current) === formatHost(host)) this.current = undefined;
  }
}

/**
 * A pg.Pool on the writable primary of a multi-host connection string. Each new connection asks
 * the tracker for the primary, connects there, and checks that the server still fits (it may have
 * been demoted since the lookup); a failed connect, a failed check or a connection error later on
 * make the tracker look again for the next connection.
 */
export function createPrimaryPool(
  connectionText: string,
  poolOptions: Omit<pg.PoolConfig, 'connectionString' | 'host' | 'port' | 'Client'> & {
    /** read each connection's server identity with the check (serverIdentity()) */
    readIdentity?: boolean;
  } = {},
): { pool: pg.Pool; tracker: PrimaryTracker } {
  const { readIdentity = false, ...options } = poolOptions;
  const connection = parseConnectionString(connectionText);
  const tracker = new PrimaryTracker(connection);

  class PrimaryClient extends pg.Client {
    private target: THostPort | undefined;

    constructor(config?: pg.ClientConfig) {
      super({
        ...config,
        ...hostClientConfig(connection, connection.hosts[0], { connectTimeoutMs: config?.connectionTimeoutMillis }),
      });
      this.on('error', () => {
        if (this.target) tracker.forget(this.target);
      });
      // a server that turned read-only or is shutting down answers queries with an error, not a
      // broken connection: forget it too (the pool drops a client whose query failed)
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      (this as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const last = args.at(-1);
        if (typeof last === 'function') {
          const callback = last as (error: unknown, result: unknown) => unknown;
          args[args.length - 1] = (error: unknown, result: unknown) => {
            this.noteQueryError(error);
            return callback(error, result);
          };
          return query(...args);
        }
        const result = query(...args);
        if (result instanceof Promise) result.catch((error: unknown) => this.noteQueryError(error));
        return result;
      };
    }

    private noteQueryError(error: unknown): void {
      const code = (error as { code?: string } | null)?.code;
      if (this.target && code && LOST_PRIMARY_CODES.has(code)) tracker.forget(this.target);
    }

    connect(): Promise<pg.Client>;
    connect(callback: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): void;
    connect(callback?: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): Promise<pg.Client> | void {
      const done = this.connectToPrimary().then(() => this as pg.Client);
      if (!callback) return done;
      const reply = callback as (error: Error | null, client?: pg.Client) => void;
      done.then(
        (client) => reply(null, client),
        (error: Error) => reply(error),
      );
    }

    private async connectToPrimary(): Promise<void> {
      const target = await tracker.primary();
      this.target = target;
      // node-postgres reads host and port at connect time, not in the constructor
      (this as unknown as { host: string; port: number }).host = target.host;
      (this as unknown as { host: string; port: number }).port = target.port;
      try {
        await super.connect();
      } catch (error) {
        tracker.forget(target);
        throw error;
      }
      const { rows } = await this.query<{
        in_recovery: boolean;
        read_only: string;
        system_id?: string;
        timeline?: number | null;
      }>(readIdentity ? CHECK_WITH_IDENTITY_SQL : CHECK_SQL);
      if (readIdentity) identities.set(this, { systemId: String(rows[0].system_id), timeline: rows[0].timeline ?? null });
      if (
        !satisfiesTarget(connection.targetSessionAttrs, { inRecovery: rows[0].in_recovery, readOnly: rows[0].read_only === 'on' })
      ) {
        tracker.forget(target);
        await this.end().catch(() => {});
        throw new AppError(
          'DATABASE_UNREACHABLE',
          `${formatHost(target)} no longer fits target_session_attrs=${connection.targetSessionAttrs}; the next connection looks again`,
        );
      }
    }
  }

  const pool = new pg.Pool({ ...options, Client: PrimaryClient });
  return { pool, tracker };
}
