import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { isAppError } from '@/lib/api/app-error';
import { parseConnectionString } from '@/lib/db/connection-string';
import { createPrimaryPool, findPrimary, serverIdentity, type TServerIdentity } from '@/lib/db/primary';
import { pollUntil } from '../helpers/poll';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';

describe('following the writable primary of a multi-host URL (real PostgreSQL 15 primary + streaming standby)', () => {
  let pair: ReplicaPair;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    pair = await startReplicaPair();
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
    await pair?.stop();
  });

  it('finds the primary when the standby is listed first', async () => {
    const found = await findPrimary(parseConnectionString(pair.url([pair.standby, pair.primary])));
    expect(found).toEqual({ host: '127.0.0.1', port: pair.primary.port });
  });

  /** The identity a pool made with readIdentity read when it connected, and the server's own answer now. */
  async function identities(pool: pg.Pool): Promise<{ read: TServerIdentity | undefined; server: TServerIdentity }> {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ system_id: string; timeline: number }>(
        `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
                ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS timeline`,
      );
      return { read: serverIdentity(client), server: { systemId: rows[0].system_id, timeline: rows[0].timeline } };
    } finally {
      client.release();
    }
  }

  it('refuses a URL whose only host is a standby, with one line saying it is read-only', async () => {
    const error = await findPrimary(parseConnectionString(pair.url([pair.standby]))).catch((caught: unknown) => caught);
    expect(isAppError(error, 'BAD_REQUEST')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${pair.standby.port} is a read-only standby`);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain(pair.password);
  });

  it('keeps a pool on the primary after the primary is killed and the standby promoted', async () => {
    const { pool, tracker } = createPrimaryPool(pair.url([pair.standby, pair.primary]), {
      max: 3,
      connectionTimeoutMillis: 3_000,
    });
    pool.on('error', () => {}); // idle clients of the killed primary report here
    pools.push(pool);
    await pool.query('CREATE TABLE IF NOT EXISTS marks (n int)');
    await pool.query('INSERT INTO marks VALUES (1)');
    const before = await pool.query<{ port: number }>('SELECT inet_server_port() AS port');
    expect(before.rows[0].port).toBe(pair.primary.port);
    // the heartbeat's pool reads the server's identity once per connection, when it connects
    const identityPool = createPrimaryPool(pair.url([pair.standby, pair.primary]), {
      max: 1,
      connectionTimeoutMillis: 3_000,
      readIdentity: true,
    }).pool;
    identityPool.on('error', () => {});
    pools.push(identityPool);
    const first = await identities(identityPool);
    expect(first.read).toEqual(first.server);
    // the row must reach the standby before the crash (asynchronous replication may lose it otherwise)
    await pollUntil(async () => (await pair.query(pair.standby, 'SELECT count(*)::int AS n FROM marks'))[0]?.n === 1, {
      what: 'the row to replicate',
    });

    await pair.killPrimary();
    await pair.promote();

    const after = await pollUntil(
      async () =>
        (
          await pool.query<{ port: number; in_recovery: boolean }>(
            'SELECT inet_server_port() AS port, pg_is_in_recovery() AS in_recovery',
          )
        ).rows[0],
      { timeoutMs: 30_000, what: 'the pool to reach the promoted standby' },
    );
    expect(after).toEqual({ port: pair.standby.port, in_recovery: false });
    expect(tracker.known()).toEqual({ host: '127.0.0.1', port: pair.standby.port });
    // a connection to the promoted standby reads its identity anew: the same system, a later timeline
    const promoted = await pollUntil(async () => (await identities(identityPool).catch(() => undefined)) ?? undefined, {
      timeoutMs: 30_000,
      what: 'the identity pool to reach the promoted standby',
    });
    expect(promoted.read).toEqual(promoted.server);
    expect(promoted.read?.systemId).toBe(first.read?.systemId);
    expect(promoted.read?.timeline).toBeGreaterThan(first.read?.timeline ?? Number.POSITIVE_INFINITY);
    await pool.query('INSERT INTO marks VALUES (2)');
    expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM marks')).rows[0].n).toBe(2);
  });

  it('moves a pool off a primary that turns read-only, to the next writable host', async () => {
    // the standby was promoted above; the old primary comes back as a writable server of its own
    await pair.restartPrimary();
    const { pool } = createPrimaryPool(pair.url([pair.standby, pair.primary]), { max: 2, connectionTimeoutMillis: 3_000 });
    pool.on('error', () => {});
    pools.push(pool);
    expect((await pool.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0].port).toBe(pair.standby.port);

    await pair.query(pair.standby, 'ALTER SYSTEM SET default_transaction_read_only = on');
    await pair.query(pair.standby, 'SELECT pg_reload_conf()');

    // the reload reaches the pool's session at its next statement: write until one is refused
    const refused = await pollUntil(
      async () => {
        try {
          await pool.query('INSERT INTO marks VALUES (3)');
          return undefined;
        } catch (error) {
          return error as { code?: string };
        }
      },
      { timeoutMs: 30_000, what: 'a write to be refused as read-only' },
    );
    expect(refused.code).toBe('25006');
    // the refusal made the pool forget that host: the very next write goes to the other one
    const moved = (await pool.query<{ port: number }>('INSERT INTO marks VALUES (4) RETURNING inet_server_port() AS port'))
      .rows[0];
    expect(moved.port).toBe(pair.primary.port);
  });
});
