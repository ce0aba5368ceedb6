/**
 * The facts about the database this node uses, for everyone who may read the cluster: where it
 * is (never the password), what it runs, how full it is, whether it is the primary, what its
 * replication looks like when this user may see it, and the heartbeat latency from this node.
 */
import pg from 'pg';
import {
  formatHost,
  hostClientConfig,
  parseConnectionString,
  redactConnectionString,
  type TConnectionString,
} from '@/lib/db/connection-string';
import { redactDatabaseUrl } from '@/lib/db/url';
import { describeConnectError, findPrimary } from '@/lib/db/primary';
import { readHeartbeatLatency, type THeartbeatLatency } from '@/lib/database/heartbeat-latency';

export type TReplicaState = {
  name: string;
  address: string | null;
  state: string | null;
  syncState: string | null;
  replayLagBytes: number | null;
  replayLagSeconds: number | null;
};

export type TDatabaseFacts = {
  kind: 'built-in' | 'external';
  /** the connection string with the password as *** */
  url: string;
  hosts: string[];
  database: string;
  user: string;
  targetSessionAttrs: string;
  sslMode: string;
  heartbeat: THeartbeatLatency;
} & (
  | { reachable: false; error: string }
  | {
      reachable: true;
      connectedHost: string;
      serverVersion: string;
      sizeBytes: number;
      connections: { inUse: number; max: number; reservedForSuperusers: number };
      role: 'primary' | 'standby';
      /**
       * What the heartbeats compare to detect a failover: the server's system identifier and
       * timeline, and how many failovers the cluster has seen (null: no cluster on this database)
       */
      identity: { systemId: string; timeline: number; failoversSeen: number | null };
      /** visible: false when this database user may not read the replication statistics */
      replication: { visible: boolean; standbys: TReplicaState[]; receivingFrom: string | null };
    }
);

type TShowOptions = { databaseUrl: string; mode: 'builtin' | 'shared' };

export async function showDatabase({ databaseUrl, mode }: TShowOptions): Promise<TDatabaseFacts> {
  let connection: TConnectionString;
  try {
    connection = parseConnectionString(databaseUrl);
  } catch (error) {
    // a URL the node started with but this parser does not take (an unknown parameter): say why, show what is safe
    return {
      kind: mode === 'builtin' ? 'built-in' : 'external',
      url: redactDatabaseUrl(databaseUrl),
      hosts: [],
      database: '',
      user: '',
      targetSessionAttrs: 'any',
      sslMode: '',
      heartbeat: await readHeartbeatLatency(),
      reachable: false,
      error: (error as Error).message,
    };
  }
  const base = {
    kind: mode === 'builtin' ? ('built-in' as const) : ('external' as const),
    url: redactConnectionString(connection),
    hosts: connection.hosts.map(formatHost),
    database: connection.database,
    user: connection.user,
    targetSessionAttrs: connection.targetSessionAttrs,
    sslMode: connection.sslMode,
    heartbeat: await readHeartbeatLatency(),
  };
  let client: pg.Client | undefined;
  try {
    const host = connection.hosts.length === 1 ? connection.hosts[0] : await findPrimary(connection);
    client = new pg.Client({ ...hostClientConfig(connection, host), query_timeout: 10_000 });
    client.on('error', () => {});
    await client.connect();
    return { ...base, reachable: true, connectedHost: formatHost(host), ...(await readServerFacts(client)) };
  } catch (error) {
    return { ...base, reachable: false, error: describeConnectError(error) };
  } finally {
    await client?.end().catch(() => {});
  }
}

async function readServerFacts(client: pg.Client) {
  const { rows } = await client.query<{
    version: string;
    size: string;
    in_use: number;
    max: string;
    reserved: string;
    in_recovery: boolean;
  }>(`SELECT current_setting('server_version') AS version,
             pg_database_size(current_database())::text AS size,
             (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use,
             current_setting('max_connections') AS max,
             current_setting('superuser_reserved_connections') AS reserved,
             pg_is_in_recovery() AS in_recovery`);
  const facts = rows[0];
  // the same identity the heartbeat reads (lib/cluster/heartbeat-sql.ts); a standby's timeline is its last checkpoint's
  const identity = await client.query<{ system_id: string; timeline: number; failovers: number | null }>(
    `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
            CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())
                 ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
            (SELECT database_failovers FROM cluster WHERE id = 1) AS failovers`,
  );
  const standbys = await client.query<{
    application_name: string;
    client_addr: string | null;
    state: string | null;
    sync_state: string | null;
    lag_bytes: string | null;
    lag_seconds: number | null;
  }>(`SELECT application_name, host(client_addr) AS client_addr, state, sync_state,
             pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END, replay_lsn)::text AS lag_bytes,
             extract(epoch FROM replay_lag)::float8 AS lag_seconds
        FROM pg_stat_replication ORDER BY application_name`);
  // without pg_read_all_stats the rows are there but their columns are null
  const visible = standbys.rows.every((row) => row.state !== null);
  const receiver = facts.in_recovery
    ? await client
        .query<{ sender: string | null }>(`SELECT sender_host || ':' || sender_port AS sender FROM pg_stat_wal_receiver`)
        .then((result) => result.rows[0]?.sender ?? null)
    : null;
  return {
    serverVersion: facts.version,
    sizeBytes: Number(facts.size),
    connections: { inUse: facts.in_use, max: Number(facts.max), reservedForSuperusers: Number(facts.reserved) },
    role: facts.in_recovery ? ('standby' as const) : ('primary' as const),
    identity: {
      systemId: identity.rows[0].system_id,
      timeline: Number(identity.rows[0].timeline),
      failoversSeen: identity.rows[0].failovers,
    },
    replication: {
      visible,
      standbys: standbys.rows.map((row) => ({
        name: row.application_name,
        address: row.client_addr,
        state: row.state,
        syncState: row.sync_state,
        replayLagBytes: row.lag_bytes === null ? null : Number(row.lag_bytes),
        replayLagSeconds: row.lag_seconds,
      })),
      receivingFrom: receiver,
    },
  };
}
