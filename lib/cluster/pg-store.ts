/**
 * The cluster agent's store on PostgreSQL. Every liveness and lease decision compares against
 * the database clock (now()), never a node's wall clock. The agent has a pool of its own, so
 * that its heartbeats never queue behind page queries, and every query has a read timeout, so
 * that a database that stops answering cannot stall the agent's loop.
 *
 * Every write here is ONE statement (claims call the server-side function orch_claim): no lock
 * is ever held across a round trip between this node and the database, so a node that freezes
 * or is cut off right after sending one keeps nothing that other nodes wait for. The sessions
 * carry server-side limits (lib/cluster/session-limits.ts).
 */
import type pg from 'pg';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
import { AGENT_SESSION_LIMITS, limitedPoolConfig } from '@/lib/cluster/session-limits';
import { freezePoint } from '@/lib/cluster/test-freeze';
import { createPrimaryPool, readServerIdentity, serverIdentity } from '@/lib/db/primary';
import type {
  TClaimAnswer,
  TClusterStore,
  THeartbeatInput,
  THeartbeatResult,
  TNodeRegistration,
  TReleaseReason,
} from '@/lib/cluster/store';

// One statement per heartbeat: the node's heartbeat, the renewal of its lease (a conditional
// write naming node and epoch: zero rows means the slot was lost), and what it needs to decide.
//
// It also compares the database's identity, passed in as $12 and $13: the system identifier,
// and the timeline WAL is written on now, both read once per connection when it was made
// (lib/db/primary.ts; neither changes while a connection lasts, and reading them on every
// heartbeat cost more than the rest of the statement). The first heartbeat to meet an identity
// other than the one the cluster row remembers (which came over with replication) sees a
// failover: it records DATABASE_FAILOVER once (the conditional update of the cluster row lets
// one statement win) and frees every active slot without renewing any, so that every active node
// loses its slot and fences itself, and slots are claimed again with a new epoch. A lease the
// old primary granted may not exist here. On a standby (timeline null) the write below fails as
// read-only (25006), which moves the pool on.
const HEARTBEAT_SQL = `
WITH c AS (${CLUSTER_ROW_SQL}),
prev AS (SELECT observed FROM cluster_node WHERE id = $1 AND removed_at IS NULL),
ident AS (SELECT $12::text AS system_id, $13::int AS timeline),
seen AS (SELECT database_system_id, database_timeline, database_failovers FROM cluster WHERE id = 1),
failover AS (
  UPDATE cluster k
     SET database_system_id = ident.system_id, database_timeline = ident.timeline,
         database_failovers = k.database_failovers + CASE WHEN seen.database_system_id IS NULL THEN 0 ELSE 1 END,
         -- the old primary may have granted epochs this one never saw (lost with asynchronous
         -- replication): epochs on timeline T start at T × 10⁹, above any it can have granted
         epoch = CASE WHEN seen.database_system_id IS NULL THEN k.epoch ELSE greatest(k.epoch + 1, ident.timeline::bigint * 1000000000) END
    FROM ident, seen
   WHERE k.id = 1 AND EXISTS (SELECT 1 FROM prev)
     AND (k.database_system_id IS DISTINCT FROM ident.system_id OR k.database_timeline IS DISTINCT FROM ident.timeline)
  RETURNING seen.database_system_id IS NOT NULL AS changed, k.database_failovers
),
changed AS (SELECT 1 FROM failover WHERE changed),
freed AS (
  UPDATE active_slot s SET node_id = NULL, lease_until = now(), claimed_at = NULL, handover_to = NULL, handover_until = NULL
   WHERE s.node_id IS NOT NULL AND EXISTS (SELECT 1 FROM changed)
  RETURNING s.slot, s.node_id, s.epoch
),
failover_event AS (
  INSERT INTO cluster_event (kind, node_id, details)
  SELECT 'DATABASE_FAILOVER', $1,
         jsonb_build_object(
           'from', jsonb_build_object('systemId', seen.database_system_id, 'timeline', seen.database_timeline),
           'to', jsonb_build_object('systemId', ident.system_id, 'timeline', ident.timeline),
           'server', coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local socket'),
           'fencedSlots', coalesce((SELECT jsonb_agg(jsonb_build_object('slot', slot, 'nodeId', node_id, 'epoch', epoch) ORDER BY slot) FROM freed), '[]'::jsonb))
    FROM seen, ident WHERE EXISTS (SELECT 1 FROM changed)
),
hb AS (
  UPDATE cluster_node
     SET last_heartbeat_at = now(), heartbeat_count = heartbeat_count + 1,
         clock_skew_ms = coalesce($4::float8, clock_skew_ms), observed = 'ALIVE',
         active_fingerprint = coalesce($5::text, active_fingerprint), pending_fingerprint = coalesce($6::text, pending_fingerprint),
         active_config = CASE WHEN active_config IS NULL OR active_fingerprint IS DISTINCT FROM $5::text THEN coalesce($7::text::jsonb, active_config) ELSE active_config END,
         pending_config = CASE WHEN pending_config IS NULL OR pending_fingerprint IS DISTINCT FROM $6::text THEN coalesce($8::text::jsonb, pending_config) ELSE pending_config END,
         config_unreadable = $11::text,
         local_changes = coalesce($9::boolean, local_changes), keeps_own_certificate = coalesce($10::boolean, keeps_own_certificate),
         -- the gap since the previous heartbeat, kept for the lag chart (last 120)
         recent_gaps_ms = (recent_gaps_ms || least(extract(epoch FROM now() - last_heartbeat_at) * 1000, 2147483647)::int)[greatest(1, cardinality(recent_gaps_ms) - 118):]
   WHERE id = $1 AND removed_at IS NULL
  RETURNING maintenance, restart_requested_at > started_at AS restart_requested
),
recovered AS (
  INSERT INTO cluster_event (kind, node_id, details)
  SELECT 'RECOVERED', $1, jsonb_build_object('was', prev.observed) FROM prev WHERE prev.observed <> 'ALIVE'
),
renewed AS (
  UPDATE active_slot s
     SET lease_until = now() + make_interval(secs => c.interval_ms * c.failover_heartbeats / 1000.0)
    FROM c
   WHERE s.slot = $2 AND s.node_id = $1 AND s.epoch = $3 AND s.lease_until > now()
     AND EXISTS (SELECT 1 FROM hb) AND NOT EXISTS (SELECT 1 FROM changed)
  RETURNING s.handover_to
),
open_slots AS (
  SELECT s.* FROM active_slot s, c
   WHERE s.slot < c.active_node_count AND (s.node_id IS NULL OR s.lease_until <= now())
     AND (s.handover_to IS NULL OR s.handover_until <= now() OR s.handover_to = $1)
)
SELECT c.*,
       (SELECT maintenance FROM hb) AS maintenance,
       EXISTS (SELECT 1 FROM renewed) AS renewed,
       EXISTS (SELECT 1 FROM renewed WHERE handover_to IS NOT NULL) AS handover_requested,
       (SELECT count(*)::int FROM open_slots) AS free_slots,
       EXISTS (SELECT 1 FROM open_slots WHERE handover_to = $1 AND handover_until > now()) AS handover_for_me,
       (SELECT (extract(epoch FROM min(s.lease_until) - now()) * 1000)::float8 FROM active_slot s
         WHERE s.slot < c.active_node_count AND s.node_id IS DISTINCT FROM $1 AND s.lease_until > now()) AS next_expiry_ms,
       (extract(epoch FROM now()) * 1000)::float8 AS db_now_ms,
       (SELECT restart_requested FROM hb) AS restart_requested,
       (SELECT max(version) FROM config_version) AS reference_version,
       ident.system_id AS database_system_id, ident.timeline AS database_timeline,
       coalesce((SELECT database_failovers FROM failover), seen.database_failovers) AS database_failovers
  FROM c, ident, seen`;

// An active node's duty: record the liveness stage of members that stopped heartbeating. Guarded
// by the writer's epoch like every active-only write.
const OBSERVE_SQL = `
WITH free AS (
  -- a row another session holds (its own heartbeat, an operator) is looked at next time: never wait
  SELECT id FROM cluster_node WHERE removed_at IS NULL AND id <> $1 FOR UPDATE SKIP LOCKED
),
changed AS (
  UPDATE cluster_node n
     SET observed = CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $4 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END
   WHERE n.id IN (SELECT id FROM free)
     AND n.last_heartbeat_at <= now() - make_interval(secs => $3 / 1000.0)
     AND n.observed <> CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $4 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END
     AND orch_lease_held($1, $2)
  RETURNING n.id, n.observed, (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::int AS age_ms
)
INSERT INTO cluster_event (kind, node_id, actor, details)
SELECT observed, id, $1::text, jsonb_build_object('lastHeartbeatAgeMs', age_ms) FROM changed`;

const RELEASE_SQL = `
WITH released AS (
  UPDATE active_slot SET node_id = NULL, lease_until = now(), claimed_at = NULL
   WHERE slot = $2 AND node_id = $1 AND epoch = $3
  RETURNING slot, epoch
)
INSERT INTO cluster_event (kind, node_id, details)
SELECT 'BECAME_STANDBY', $1, jsonb_build_object('slot', slot, 'epoch', epoch, 'reason', $4::text) FROM released
RETURNING 1`;

// Registration: one statement, so that no row lock outlives it. A removed id is refused (and
// stays removed even when the removal lands between the read and the write).
const REGISTER_SQL = `
WITH prev AS (SELECT removed_at IS NOT NULL AS removed, observed FROM cluster_node WHERE id = $1),
up AS (
  INSERT INTO cluster_node (id, name, url, version, started_at, last_heartbeat_at)
  SELECT $1, $2, $3, $4, now(), now() WHERE NOT EXISTS (SELECT 1 FROM prev WHERE removed)
  ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url, version = EXCLUDED.version,
                                 started_at = now(), last_heartbeat_at = now(), observed = 'ALIVE', stopped_at = NULL
   WHERE cluster_node.removed_at IS NULL
  RETURNING id
),
registered AS (
  INSERT INTO cluster_event (kind, node_id, details)
  SELECT CASE WHEN prev.observed IS NULL THEN 'REGISTERED' WHEN prev.observed <> 'ALIVE' THEN 'RECOVERED' ELSE 'RESTARTED' END,
         up.id,
         jsonb_build_object('name', $2::text, 'url', $3::text, 'version', $4::text)
           || CASE WHEN prev.observed IS DISTINCT FROM 'ALIVE' AND prev.observed IS NOT NULL THEN jsonb_build_object('was', prev.observed) ELSE '{}'::jsonb END
    FROM up LEFT JOIN prev ON true
)
SELECT EXISTS (SELECT 1 FROM up) AS registered`;

// A clean stop: out of line until the node registers again, and its slot (if any) handed back.
const LEAVE_SQL = `
WITH stopped AS (UPDATE cluster_node SET stopped_at = now() WHERE id = $1),
released AS (
  UPDATE active_slot SET node_id = NULL, lease_until = now(), claimed_at = NULL
   WHERE slot = $2 AND node_id = $1 AND epoch = $3
  RETURNING slot, epoch
)
INSERT INTO cluster_event (kind, node_id, details)
SELECT 'BECAME_STANDBY', $1, jsonb_build_object('slot', slot, 'epoch', epoch, 'reason', 'stopping') FROM released`;

// An event recorded at most once: a retry after an answer that was lost (the insert committed,
// the reply did not arrive) finds the first one and adds nothing.
const EVENT_ONCE_SQL = `
INSERT INTO cluster_event (kind, node_id, details)
SELECT $1, $2, $3::jsonb
 WHERE NOT EXISTS (SELECT 1 FROM cluster_event WHERE kind = $1 AND node_id = $2 AND details = $3::jsonb)`;

/**
 * The configuration documents as JSON, written once per document: the agent reports the same
 * objects on every heartbeat until a file changes (lib/config/local-configuration.ts), and
 * stringifying them again each time would be work on the heartbeat's path for nothing.
 */
const documentTexts = new WeakMap<object, string>();

function documentText(document: unknown): string {
  if (typeof document !== 'object' || document === null) return JSON.stringify(document);
  let text = documentTexts.get(document);
  if (text === undefined) {
    text = JSON.stringify(document);
    documentTexts.set(document, text);
  }
  return text;
}

export class PgClusterStore implements TClusterStore {
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    private readonly timeoutMs: () => number,
  ) {
    // on the writable primary of a multi-host URL; finding it again after a failover is bounded
    // by the connect timeout, so a heartbeat never waits longer than that for a connection
    this.pool = createPrimaryPool(databaseUrl, {
      max: 3,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      ...limitedPoolConfig(AGENT_SESSION_LIMITS),
      readIdentity: true,
    }).pool;
    // a connection that breaks while idle (database restart) must not crash the process
    this.pool.on('error', () => {});
  }

  /**
   * The hot statements are named, so each connection plans them once (planning a heartbeat cost
   * more PostgreSQL CPU than running it).
   */
  private query<T extends pg.QueryResultRow>(name: string | undefined, text: string, values: unknown[]) {
    return this.pool.query<T>({ name, text, values, query_timeout: this.timeoutMs() } as pg.QueryConfig);
  }

  async register(node: TNodeRegistration): Promise<'registered' | 'refused'> {
    const { rows } = await this.query<{ registered: boolean }>(undefined, REGISTER_SQL, [
      node.id,
      node.name,
      node.url,
      node.version,
    ]);
    return rows[0]?.registered ? 'registered' : 'refused';
  }

  async heartbeat(input: THeartbeatInput): Promise<THeartbeatResult> {
    const client = await this.pool.connect();
    try {
      const result = await this.heartbeatOn(client, input);
      client.release();
      return result;
    } catch (error) {
      // as pool.query does: a connection whose statement failed or timed out is not reused
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async heartbeatOn(client: pg.PoolClient, input: THeartbeatInput): Promise<THeartbeatResult> {
    const known = serverIdentity(client);
    // read at connect; again only on a connection made to a standby, which may have been promoted
    const identity = known?.timeline != null ? known : await readServerIdentity(client, this.timeoutMs());
    const pending = client.query<TClusterSqlRow & Record<string, unknown>>({
      name: 'orch-heartbeat',
      text: HEARTBEAT_SQL,
      query_timeout: this.timeoutMs(),
      values: [
        input.nodeId,
        input.lease?.slot ?? -1,
        input.lease?.epoch ?? 0,
        input.skewMs === null ? null : Math.round(input.skewMs),
        input.configuration?.active ?? null,
        input.configuration?.pending ?? null,
        input.configuration ? documentText(input.configuration.activeDocument) : null,
        input.configuration ? documentText(input.configuration.pendingDocument) : null,
        input.configuration?.localChanges ?? null,
        input.configuration?.keepsOwnCertificate ?? null,
        // capped: the reason is an error message from the file system or a parser
        input.configurationError ? input.configurationError.slice(0, 500) : null,
        identity.systemId,
        identity.timeline,
      ],
    } as pg.QueryConfig);
    if (input.lease) await freezePoint('renew', pending);
    const row = (await pending).rows[0];
    if (!row) throw new Error('the database holds no cluster (run migrations and bootstrap first)');
    return {
      accepted: row.maintenance !== null,
      settings: toClusterSettings(row),
      maintenance: row.maintenance === true,
      renewed: row.renewed === true,
      handoverRequested: row.handover_requested === true,
      freeSlots: Number(row.free_slots),
      handoverForMe: row.handover_for_me === true,
      nextExpiryMs: row.next_expiry_ms === null ? null : Number(row.next_expiry_ms),
      dbNowMs: Number(row.db_now_ms),
      restartRequested: row.restart_requested === true,
      referenceVersion: row.reference_version === null ? null : Number(row.reference_version),
      database: {
        systemId: String(row.database_system_id),
        timeline: Number(row.database_timeline),
        failovers: Number(row.database_failovers),
      },
    };
  }

  async claim(nodeId: string, lateAfterMs: number, graceMs: number): Promise<TClaimAnswer> {
    const pending = this.query<{ answer: TClaimAnswer }>('orch-claim', 'SELECT orch_claim($1, $2, $3) AS answer', [
      nodeId,
      lateAfterMs,
      graceMs,
    ]);
    await freezePoint('claim', pending);
    const { rows } = await pending;
    const answer = rows[0]?.answer ?? null;
    if (answer && 'slot' in answer)
      return {
        slot: Number(answer.slot),
        epoch: Number(answer.epoch),
        windowMs: Number(answer.windowMs),
        intervalMs: Number(answer.intervalMs),
      };
    return answer;
  }

  async release(nodeId: string, lease: { slot: number; epoch: number }, reason: TReleaseReason): Promise<boolean> {
    const { rowCount } = await this.query('orch-release', RELEASE_SQL, [nodeId, lease.slot, lease.epoch, reason]);
    return rowCount === 1;
  }

  async leave(nodeId: string, lease: { slot: number; epoch: number } | null): Promise<void> {
    await this.query(undefined, LEAVE_SQL, [nodeId, lease?.slot ?? -1, lease?.epoch ?? 0]);
  }

  async observe(
    nodeId: string,
    epoch: number,
    thresholds: { lateAfterMs: number; notRespondingAfterMs: number },
  ): Promise<number> {
    const { rowCount } = await this.query('orch-observe', OBSERVE_SQL, [
      nodeId,
      epoch,
      thresholds.lateAfterMs,
      thresholds.notRespondingAfterMs,
    ]);
    return rowCount ?? 0;
  }

  async recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void> {
    await this.query(undefined, EVENT_ONCE_SQL, [kind, nodeId, JSON.stringify(details)]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
