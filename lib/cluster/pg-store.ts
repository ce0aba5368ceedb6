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
import { toClusterSettings, type TSettingsSqlRow } from '@/lib/cluster/cluster-row';
import { ACTIVE_HEARTBEAT_SQL, LIGHT_STANDBY_HEARTBEAT_SQL, STANDBY_HEARTBEAT_SQL } from '@/lib/cluster/heartbeat-sql';
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
