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
import { SETTINGS_COLUMNS, SETTINGS_JSON, toClusterSettings, type TSettingsSqlRow } from '@/lib/cluster/cluster-row';
import { LightHeartbeats, type TLastHeartbeat } from '@/lib/cluster/light-heartbeats';
import { AGENT_SESSION_LIMITS, limitedPoolConfig } from '@/lib/cluster/session-limits';
import { freezePoint } from '@/lib/cluster/test-freeze';
import { createPrimaryPool, readServerIdentity, serverIdentity, type TServerIdentity } from '@/lib/db/primary';
import type {
  TClaimAnswer,
  TClusterStore,
  THeartbeatInput,
  THeartbeatResult,
  TNodeRegistration,
  TReleaseReason,
} from '@/lib/cluster/store';

// One statement per heartbeat: the node's heartbeat, for an active node the renewal of its lease
// (a conditional write naming node and epoch: zero rows means the slot was lost) and its duty of
// recording silent members, and what the node needs to decide. Two texts share the parts below:
// a standby's, with no renewal in it, and an active node's; a standby whose reports did not change
// sends a third, lighter one (LIGHT_STANDBY_HEARTBEAT_SQL).
//
// It also compares the database's identity, passed in as $10 and $11: the system identifier,
// and the timeline WAL is written on now, both read once per connection when it was made
// (lib/db/primary.ts; neither changes while a connection lasts, and reading them on every
// heartbeat cost more than the rest of the statement). The first heartbeat to meet an identity
// other than the one the cluster row remembers (which came over with replication) sees a
// failover: orch_note_database_identity (called only then, so its writes are not part of every
// heartbeat's plan) records DATABASE_FAILOVER once and frees every active slot without renewing
// any, so that every active node loses its slot and fences itself, and slots are claimed again
// with a new epoch. A lease the old primary granted may not exist here. On a standby (timeline
// null) the writes fail as read-only (25006), which moves the pool on.
// the gap since the previous heartbeat, kept for the lag chart (last 120)
const RECENT_GAPS = `recent_gaps_ms = (n.recent_gaps_ms || least(date_part('epoch', now() - n.last_heartbeat_at) * 1000, 2147483647)::int)[greatest(1, cardinality(n.recent_gaps_ms) - 118):]`;

const HEARTBEAT_PARTS = `
hb AS (
  UPDATE cluster_node n
     SET last_heartbeat_at = now(), heartbeat_count = n.heartbeat_count + 1,
         clock_skew_ms = coalesce($2::float8, n.clock_skew_ms), observed = 'ALIVE',
         active_fingerprint = coalesce($3::text, n.active_fingerprint), pending_fingerprint = coalesce($4::text, n.pending_fingerprint),
         active_config = CASE WHEN n.active_config IS NULL OR n.active_fingerprint IS DISTINCT FROM $3::text THEN coalesce($5::text::jsonb, n.active_config) ELSE n.active_config END,
         pending_config = CASE WHEN n.pending_config IS NULL OR n.pending_fingerprint IS DISTINCT FROM $4::text THEN coalesce($6::text::jsonb, n.pending_config) ELSE n.pending_config END,
         config_unreadable = $9::text,
         local_changes = coalesce($7::boolean, n.local_changes), keeps_own_certificate = coalesce($8::boolean, n.keeps_own_certificate),
         ${RECENT_GAPS}
    FROM cluster_node was -- the row as it was: what the active node had recorded about this member
   WHERE n.id = $1 AND n.removed_at IS NULL AND was.id = n.id
  RETURNING n.maintenance, n.restart_requested_at > n.started_at AS restart_requested, was.observed AS was
),
recovered AS (
  INSERT INTO cluster_event (kind, node_id, details)
  SELECT 'RECOVERED', $1, jsonb_build_object('was', hb.was) FROM hb WHERE hb.was <> 'ALIVE'
)`;

// What a heartbeat answers, from the cluster row k (read once) and the heartbeat hb (none when
// the node is unknown or was removed: maintenance is null then, and the heartbeat not accepted).
// Only what the agent uses: every column returned costs a type lookup and an output call on each
// execution. Times as float8 (date_part), not numeric (extract), for the same reason.
const HEARTBEAT_ANSWER = `
       ${SETTINGS_COLUMNS}, -- unqualified: of the relations below, only the cluster row has these names
       k.database_failovers, hb.maintenance, hb.restart_requested,
       slots.free_slots, slots.handover_for_me,
       date_part('epoch', slots.next_expiry - now()) * 1000 AS next_expiry_ms,
       date_part('epoch', now()) * 1000 AS db_now_ms,
       (SELECT max(version) FROM config_version) AS reference_version,
       $10::text AS database_system_id, $11::int AS database_timeline`;

// The slots below the active count, in one scan: how many are open to this node, whether one is
// reserved for it, and when the earliest lease of another node runs out.
const heartbeatFrom = (systemId: string, timeline: string) => `
  FROM cluster k LEFT JOIN hb ON true,
       LATERAL (
         SELECT count(*) FILTER (WHERE open)::int AS free_slots,
                coalesce(bool_or(open AND handover_to = $1 AND handover_until > now()), false) AS handover_for_me,
                min(lease_until) FILTER (WHERE node_id IS DISTINCT FROM $1 AND lease_until > now()) AS next_expiry
           FROM (SELECT s.node_id, s.lease_until, s.handover_to, s.handover_until,
                        (s.node_id IS NULL OR s.lease_until <= now())
                          AND (s.handover_to IS NULL OR s.handover_until <= now() OR s.handover_to = $1) AS open
                   FROM active_slot s WHERE s.slot < k.active_node_count) s
       ) slots,
       LATERAL (
         SELECT hb.maintenance IS NOT NULL
                AND (k.database_system_id IS DISTINCT FROM ${systemId}::text OR k.database_timeline IS DISTINCT FROM ${timeline}::int) AS notes_identity
       ) d
 WHERE k.id = 1`;

// A standby's heartbeat commits asynchronously (it does not wait for its WAL to reach the disk),
// unless it notes a database identity: nothing a guarantee rests on is in it. It renews no lease
// (this text has no renewal), and what it writes is the member's liveness and reports, which its
// next heartbeat writes again. A PostgreSQL crash can lose at most the last few hundred ms of
// such commits (wal_writer_delay), and only as a whole transaction: the member then looks up to
// that much older, as if a heartbeat had been late. Nothing durable can rest on a lost one:
// whatever another transaction decided from it (a claim checking that the member is alive, which
// member is ahead in line) commits after it in the WAL, and a synchronous commit flushes the WAL
// up to its own record, so it is lost with it. Other nodes read last_heartbeat_at only on the
// database clock, so no clock step on any node changes that, and fencing rests on the active
// node's own renewals, which stay synchronous.
//
// Written as one UPDATE with the rest read around it (no chain of CTEs over the cluster row):
// the same answer for about three quarters of the PostgreSQL CPU, measured.
const STANDBY_HEARTBEAT_SQL = `
WITH ${HEARTBEAT_PARTS}
SELECT ${HEARTBEAT_ANSWER},
       CASE WHEN d.notes_identity THEN orch_note_database_identity($1, $10, $11) END AS failovers,
       false AS renewed, false AS handover_requested, 0 AS observed_changes,
       coalesce(CASE WHEN NOT d.notes_identity THEN set_config('synchronous_commit', 'off', true) END = 'off', false)
         AS asynchronous_commit
${heartbeatFrom('$10', '$11')}`;

// The light standby heartbeat: what a standby sends when nothing it reports changed since its
// last accepted heartbeat (PgClusterStore decides; see LightHeartbeats in light-heartbeats.ts). It writes the
// member's liveness only, and answers what the standby's full text answers, with two cuts that
// PostgreSQL pays for on every execution otherwise:
// - the stage the active node had recorded comes from observed_before (set from the old row in
//   the SET, read back by RETURNING) instead of a second read of the row, and the RECOVERED event
//   is written by orch_note_recovered, called only when there is one, so no insert is set up on
//   every heartbeat;
// - the cluster settings come back (as one JSON column) only when their version differs from the
//   one the store passes ($4); otherwise the store answers with the settings it has, the time
//   since their change moved on by the database clock.
// The slots, the database identity check, maintenance, restart requests and the configuration
// reference are read as in the full text, and it commits asynchronously in the same way.
// Parameters: $1 node, $2 system identifier, $3 timeline, $4 the settings version known.
//
// Measured for 200 members at 1 s (npm run bench -- --only heartbeat, run for run against the
// full text every time, six pairs on a shared 2-core machine at load 2-9): 0.051-0.062 PostgreSQL
// cores, mean 0.055, against 0.056-0.065, mean 0.061; 90-96 % of heartbeats light. Paced statement against
// statement in one process (same load, one run): the full text 0.069, this one without the
// reference version 0.053, with the settings columns and the reference version 0.062, a bare
// UPDATE committed asynchronously 0.039. Most of the rest is its reads (the cluster row, the
// slots, the reference version), which a standby needs on every heartbeat.
const LIGHT_STANDBY_HEARTBEAT_SQL = `
WITH hb AS (
  UPDATE cluster_node n
     SET last_heartbeat_at = now(), heartbeat_count = n.heartbeat_count + 1, observed = 'ALIVE',
         observed_before = CASE WHEN n.observed <> 'ALIVE' THEN n.observed END,
         ${RECENT_GAPS}
   WHERE n.id = $1 AND n.removed_at IS NULL
  RETURNING n.maintenance, n.restart_requested_at > n.started_at AS restart_requested, n.observed_before AS was
)
SELECT CASE WHEN k.settings_version IS DISTINCT FROM $4::int THEN ${SETTINGS_JSON}::text END AS settings,
       k.database_failovers, hb.maintenance, hb.restart_requested,
       slots.free_slots, slots.handover_for_me,
       date_part('epoch', slots.next_expiry - now()) * 1000 AS next_expiry_ms,
       date_part('epoch', now()) * 1000 AS db_now_ms,
       (SELECT max(version) FROM config_version) AS reference_version,
       CASE WHEN hb.was IS NOT NULL THEN orch_note_recovered($1, hb.was) END AS recovered,
       CASE WHEN d.notes_identity THEN orch_note_database_identity($1, $2, $3) END AS failovers,
       coalesce(CASE WHEN NOT d.notes_identity THEN set_config('synchronous_commit', 'off', true) END = 'off', false)
         AS asynchronous_commit
${heartbeatFrom('$2', '$3')}`;

// An active node's heartbeat renews its lease (unless this heartbeat met a database failover) and,
// under the renewed lease, records the liveness stage of members that stopped heartbeating (its
// duty: LATE, then NOT_RESPONDING, each once). Only rows that need a new stage are locked, and
// SKIP LOCKED: a member's own heartbeat holding its row is looked at next time, never waited for
// (a member whose heartbeat commits meanwhile no longer qualifies once its row is locked).
// Committed synchronously, as every write with the lease is.
const ACTIVE_HEARTBEAT_SQL = `
WITH ${HEARTBEAT_PARTS},
noted AS (
  SELECT orch_note_database_identity($1, $10, $11) AS failovers
    FROM cluster c
   WHERE c.id = 1 AND (c.database_system_id IS DISTINCT FROM $10::text OR c.database_timeline IS DISTINCT FROM $11::int)
     AND EXISTS (SELECT 1 FROM hb)
),
renewed AS (
  UPDATE active_slot s
     SET lease_until = now() + make_interval(secs => c.heartbeat_interval_ms * c.failover_heartbeats / 1000.0)
    FROM cluster c
   WHERE c.id = 1 AND s.slot = $12 AND s.node_id = $1 AND s.epoch = $13 AND s.lease_until > now()
     AND EXISTS (SELECT 1 FROM hb) AND NOT EXISTS (SELECT 1 FROM noted WHERE failovers IS NOT NULL)
  RETURNING s.handover_to
),
silent AS (
  SELECT n.id, CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $15 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END AS stage
    FROM cluster_node n
   WHERE $14::float8 IS NOT NULL AND EXISTS (SELECT 1 FROM renewed)
     AND n.removed_at IS NULL AND n.id <> $1
     AND n.last_heartbeat_at <= now() - make_interval(secs => $14 / 1000.0)
     AND n.observed <> CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $15 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END
     FOR UPDATE SKIP LOCKED
),
marked AS (
  UPDATE cluster_node n SET observed = silent.stage FROM silent WHERE n.id = silent.id
  RETURNING n.id, n.observed, (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::int AS age_ms
),
marked_events AS (
  INSERT INTO cluster_event (kind, node_id, actor, details)
  SELECT observed, id, $1::text, jsonb_build_object('lastHeartbeatAgeMs', age_ms) FROM marked
  RETURNING 1
)
SELECT ${HEARTBEAT_ANSWER},
       (SELECT failovers FROM noted) AS failovers,
       EXISTS (SELECT 1 FROM renewed) AS renewed,
       EXISTS (SELECT 1 FROM renewed WHERE handover_to IS NOT NULL) AS handover_requested,
       (SELECT count(*) FROM marked_events)::int AS observed_changes,
       false AS asynchronous_commit
${heartbeatFrom('$10', '$11')}`;

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

/** What the light standby heartbeat answers (LIGHT_STANDBY_HEARTBEAT_SQL). */
type TLightSqlRow = {
  /** the cluster settings as JSON, only when their version is not the one passed */
  settings: string | null;
  database_failovers: number;
  maintenance: boolean | null;
  restart_requested: boolean | null;
  free_slots: number;
  handover_for_me: boolean;
  next_expiry_ms: number | null;
  db_now_ms: number;
  reference_version: number | null;
  failovers: number | null;
  asynchronous_commit: boolean;
};

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

/**
 * The agent's session settings: the limits every agent session carries, and generic plans for
 * its named statements. PostgreSQL chooses between a generic plan and planning each execution
 * anew after a connection's first five executions, by the parameters those happened to carry;
 * planning the heartbeat costs several times what running it does (about 0.5 ms of CPU against
 * 0.1 ms, measured), and a connection that chose custom plans paid it on every heartbeat. Every
 * agent statement looks rows up by key, for which the generic plan is the same plan.
 */
export function agentPoolConfig() {
  const config = limitedPoolConfig(AGENT_SESSION_LIMITS);
  return { ...config, options: `${config.options} -c plan_cache_mode=force_generic_plan` };
}

export class PgClusterStore implements TClusterStore {
  private readonly pool: pg.Pool;
  private readonly light = new LightHeartbeats();
  /** heartbeats sent so far by text: the full one (standby or active) and the light one */
  readonly sent = { full: 0, light: 0 };

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
      ...agentPoolConfig(),
      readIdentity: true,
    }).pool;
    // a connection that breaks while idle (database restart) must not crash the process
    this.pool.on('error', () => {});
    // a new connection may follow a database restart, which can lose the last asynchronous
    // commits (a standby's full text among them): every member sends its full text again
    this.pool.on('connect', () => this.light.forgetAll());
  }

  /**
   * The hot statements are named, so each connection plans them once (planning a heartbeat cost
   * more PostgreSQL CPU than running it).
   */
  private query<T extends pg.QueryResultRow>(name: string | undefined, text: string, values: unknown[]) {
    return this.pool.query<T>({ name, text, values, query_timeout: this.timeoutMs() } as pg.QueryConfig);
  }

  async register(node: TNodeRegistration): Promise<'registered' | 'refused'> {
    this.light.forget(node.id);
    const { rows } = await this.query<{ registered: boolean }>(undefined, REGISTER_SQL, [
      node.id,
      node.name,
      node.url,
      node.version,
    ]);
    return rows[0]?.registered ? 'registered' : 'refused';
  }

  async heartbeat(input: THeartbeatInput): Promise<THeartbeatResult> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.light.forget(input.nodeId);
      throw error;
    }
    try {
      const result = await this.heartbeatOn(client, input);
      if (!result.accepted) this.light.forget(input.nodeId);
      client.release();
      return result;
    } catch (error) {
      this.light.forget(input.nodeId);
      // as pool.query does: a connection whose statement failed or timed out is not reused
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async heartbeatOn(client: pg.PoolClient, input: THeartbeatInput): Promise<THeartbeatResult> {
    const known = serverIdentity(client);
    // read at connect; again only on a connection made to a standby, which may have been promoted
    const identity = known?.timeline != null ? known : await readServerIdentity(client, this.timeoutMs());
    const values = [
      input.nodeId,
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
    ];
    const { lease } = input;
    const report = values.slice(2, 9);
    const last = lease ? undefined : this.light.lightFor(input.nodeId, report, values[1] as number | null, identity);
    if (last) return this.lightHeartbeatOn(client, input.nodeId, identity, last);
    this.sent.full += 1;
    const observe = lease ? (input.observe ?? null) : null;
    const pending = client.query<TSettingsSqlRow & Record<string, unknown>>({
      query_timeout: this.timeoutMs(),
      ...(lease
        ? {
            name: 'orch-heartbeat-active',
            text: ACTIVE_HEARTBEAT_SQL,
            values: [...values, lease.slot, lease.epoch, observe?.lateAfterMs ?? null, observe?.notRespondingAfterMs ?? null],
          }
        : { name: 'orch-heartbeat', text: STANDBY_HEARTBEAT_SQL, values }),
    } as pg.QueryConfig);
    if (input.lease) await freezePoint('renew', pending);
    const row = (await pending).rows[0];
    if (!row) throw new Error('the database holds no cluster (run migrations and bootstrap first)');
    const result: THeartbeatResult = {
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
      observedChanges: Number(row.observed_changes),
      asynchronousCommit: row.asynchronous_commit === true,
      referenceVersion: row.reference_version === null ? null : Number(row.reference_version),
      database: {
        systemId: String(row.database_system_id),
        timeline: Number(row.database_timeline),
        // a failover this heartbeat recorded counts already
        failovers: Number(row.failovers ?? row.database_failovers),
      },
    };
    if (result.accepted) this.light.fullAccepted(input.nodeId, report, values[1] as number | null, identity, result);
    return result;
  }

  private async lightHeartbeatOn(
    client: pg.PoolClient,
    nodeId: string,
    identity: TServerIdentity,
    last: TLastHeartbeat,
  ): Promise<THeartbeatResult> {
    this.sent.light += 1;
    const { rows } = await client.query<TLightSqlRow>({
      name: 'orch-heartbeat-light',
      text: LIGHT_STANDBY_HEARTBEAT_SQL,
      values: [nodeId, identity.systemId, identity.timeline, last.settings.settingsVersion],
      query_timeout: this.timeoutMs(),
    } as pg.QueryConfig);
    const row = rows[0];
    if (!row) throw new Error('the database holds no cluster (run migrations and bootstrap first)');
    const dbNowMs = Number(row.db_now_ms);
    return {
      accepted: row.maintenance !== null,
      settings: this.light.lightAccepted(
        last,
        row.settings === null ? null : (JSON.parse(row.settings) as TSettingsSqlRow),
        dbNowMs,
      ),
      maintenance: row.maintenance === true,
      renewed: false,
      handoverRequested: false,
      freeSlots: Number(row.free_slots),
      handoverForMe: row.handover_for_me === true,
      nextExpiryMs: row.next_expiry_ms === null ? null : Number(row.next_expiry_ms),
      dbNowMs,
      restartRequested: row.restart_requested === true,
      observedChanges: 0,
      asynchronousCommit: row.asynchronous_commit === true,
      referenceVersion: row.reference_version === null ? null : Number(row.reference_version),
      database: {
        systemId: identity.systemId,
        timeline: identity.timeline as number,
        failovers: Number(row.failovers ?? row.database_failovers),
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

  async recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void> {
    await this.query(undefined, EVENT_ONCE_SQL, [kind, nodeId, JSON.stringify(details)]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
