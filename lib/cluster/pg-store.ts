/**
 * The cluster agent's store on PostgreSQL. Every liveness and lease decision compares against
 * the database clock (now()), never a node's wall clock. The agent has a pool of its own, so
 * that its heartbeats never queue behind page queries, and every query has a read timeout, so
 * that a database that stops answering cannot stall the agent's loop.
 */
import pg from 'pg';
import { CLUSTER_ROW_SQL, toClusterSettings, type TClusterSqlRow } from '@/lib/cluster/cluster-row';
import type { TClaim, TClusterStore, THeartbeatInput, THeartbeatResult, TNodeRegistration, TReleaseReason } from '@/lib/cluster/store';

// One statement per heartbeat: the node's heartbeat, the renewal of its lease (a conditional
// write naming node and epoch: zero rows means the slot was lost), and what it needs to decide.
const HEARTBEAT_SQL = `
WITH c AS (${CLUSTER_ROW_SQL}),
prev AS (SELECT observed FROM cluster_node WHERE id = $1 AND removed_at IS NULL),
hb AS (
  UPDATE cluster_node
     SET last_heartbeat_at = now(), heartbeat_count = heartbeat_count + 1,
         clock_skew_ms = coalesce($4::int, clock_skew_ms), observed = 'ALIVE',
         active_fingerprint = coalesce($5::text, active_fingerprint), pending_fingerprint = coalesce($6::text, pending_fingerprint),
         active_config = CASE WHEN active_config IS NULL OR active_fingerprint IS DISTINCT FROM $5::text THEN coalesce($7::jsonb, active_config) ELSE active_config END,
         pending_config = CASE WHEN pending_config IS NULL OR pending_fingerprint IS DISTINCT FROM $6::text THEN coalesce($8::jsonb, pending_config) ELSE pending_config END,
         local_changes = coalesce($9::boolean, local_changes), keeps_own_certificate = coalesce($10::boolean, keeps_own_certificate),
         -- the gap since the previous heartbeat, kept for the lag chart (last 120)
         recent_gaps_ms = (recent_gaps_ms || (extract(epoch FROM now() - last_heartbeat_at) * 1000)::int)[greatest(1, cardinality(recent_gaps_ms) - 118):]
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
     AND EXISTS (SELECT 1 FROM hb)
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
       (SELECT max(version) FROM config_version) AS reference_version
  FROM c`;

// An active node's duty: record the liveness stage of members that stopped heartbeating. Guarded
// by the writer's epoch like every active-only write.
const OBSERVE_SQL = `
WITH changed AS (
  UPDATE cluster_node n
     SET observed = CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $4 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END
   WHERE n.removed_at IS NULL AND n.id <> $1
     AND n.last_heartbeat_at <= now() - make_interval(secs => $3 / 1000.0)
     AND n.observed <> CASE WHEN n.last_heartbeat_at <= now() - make_interval(secs => $4 / 1000.0) THEN 'NOT_RESPONDING' ELSE 'LATE' END
     AND EXISTS (SELECT 1 FROM active_slot f WHERE f.node_id = $1 AND f.epoch = $2 AND f.lease_until > now())
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

type TTx = { query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> };

export class PgClusterStore implements TClusterStore {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string, private readonly timeoutMs: () => number) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
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
    return this.transaction(async (tx) => {
      const existing = await tx.query<{ removed: boolean; observed: string }>(
        'SELECT removed_at IS NOT NULL AS removed, observed FROM cluster_node WHERE id = $1 FOR UPDATE',
        [node.id],
      );
      const row = existing.rows[0];
      if (row?.removed) return 'refused';
      await tx.query(
        `INSERT INTO cluster_node (id, name, url, version, started_at, last_heartbeat_at)
         VALUES ($1, $2, $3, $4, now(), now())
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url, version = EXCLUDED.version,
                                        started_at = now(), last_heartbeat_at = now(), observed = 'ALIVE', stopped_at = NULL`,
        [node.id, node.name, node.url, node.version],
      );
      const kind = !row ? 'REGISTERED' : row.observed !== 'ALIVE' ? 'RECOVERED' : 'RESTARTED';
      await tx.query('INSERT INTO cluster_event (kind, node_id, details) VALUES ($1, $2, $3)', [
        kind,
        node.id,
        { name: node.name, url: node.url, version: node.version, ...(row && row.observed !== 'ALIVE' ? { was: row.observed } : {}) },
      ]);
      return 'registered';
    });
  }

  async heartbeat(input: THeartbeatInput): Promise<THeartbeatResult> {
    const { rows } = await this.query<TClusterSqlRow & Record<string, unknown>>('orch-heartbeat', HEARTBEAT_SQL, [
      input.nodeId,
      input.lease?.slot ?? -1,
      input.lease?.epoch ?? 0,
      input.skewMs === null ? null : Math.round(input.skewMs),
      input.configuration?.active ?? null,
      input.configuration?.pending ?? null,
      input.configuration ? JSON.stringify(input.configuration.activeDocument) : null,
      input.configuration ? JSON.stringify(input.configuration.pendingDocument) : null,
      input.configuration?.localChanges ?? null,
      input.configuration?.keepsOwnCertificate ?? null,
    ]);
    const row = rows[0];
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
    };
  }

  async claim(nodeId: string, lateAfterMs: number): Promise<TClaim | null> {
    return this.transaction(async (tx) => {
      // every change of slot ownership holds the cluster row: claims are serialized
      const cluster = (await tx.query<TClusterSqlRow>(`${CLUSTER_ROW_SQL} FOR UPDATE`, [])).rows[0];
      const late = `make_interval(secs => ${Number(lateAfterMs)} / 1000.0)`;
      const eligible = (alias: string) => `${alias}.removed_at IS NULL AND ${alias}.stopped_at IS NULL AND NOT ${alias}.maintenance
          AND ${alias}.last_heartbeat_at > now() - ${late}
          AND NOT EXISTS (SELECT 1 FROM active_slot v WHERE v.node_id = ${alias}.id AND v.lease_until > now())`;
      const me = (await tx.query<{ member_no: number }>(`SELECT member_no FROM cluster_node m WHERE m.id = $1 AND ${eligible('m')}`, [nodeId]))
        .rows[0];
      if (!me) return null;
      const open = await tx.query<{ slot: number; reserved_for_me: boolean }>(
        `SELECT slot, (handover_to = $1 AND handover_until > now()) IS TRUE AS reserved_for_me FROM active_slot
          WHERE slot < $2 AND (node_id IS NULL OR lease_until <= now())
            AND (handover_to IS NULL OR handover_until <= now() OR handover_to = $1)
          ORDER BY reserved_for_me DESC, slot`,
        [nodeId, cluster.active_node_count],
      );
      const pick = open.rows[0];
      if (!pick) return null;
      if (!pick.reserved_for_me) {
        // which standby takes a free slot is deterministic: the longest-standing members first
        const ahead = await tx.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM cluster_node o WHERE o.member_no < $1 AND ${eligible('o')}`,
          [me.member_no],
        );
        const unreserved = open.rows.filter((row) => !row.reserved_for_me).length;
        if (ahead.rows[0].count >= unreserved) return null;
      }
      const epoch = Number(
        (await tx.query<{ epoch: string }>('UPDATE cluster SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch', [])).rows[0].epoch,
      );
      const windowMs = cluster.interval_ms * cluster.failover_heartbeats;
      const claimed = await tx.query(
        `UPDATE active_slot
            SET node_id = $1, epoch = $2, lease_until = now() + make_interval(secs => $3 / 1000.0), claimed_at = now(),
                handover_to = NULL, handover_until = NULL
          WHERE slot = $4 AND (node_id IS NULL OR lease_until <= now())`,
        [nodeId, epoch, windowMs, pick.slot],
      );
      if (claimed.rowCount !== 1) return null;
      await tx.query(`INSERT INTO cluster_event (kind, node_id, details) VALUES ('BECAME_ACTIVE', $1, $2)`, [
        nodeId,
        { slot: pick.slot, epoch, ...(pick.reserved_for_me ? { handover: true } : {}) },
      ]);
      return { slot: pick.slot, epoch, windowMs, intervalMs: cluster.interval_ms };
    });
  }

  async release(nodeId: string, lease: { slot: number; epoch: number }, reason: TReleaseReason): Promise<boolean> {
    const { rowCount } = await this.query('orch-release', RELEASE_SQL, [nodeId, lease.slot, lease.epoch, reason]);
    return rowCount === 1;
  }

  async leave(nodeId: string, lease: { slot: number; epoch: number } | null): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query('UPDATE cluster_node SET stopped_at = now() WHERE id = $1', [nodeId]);
      if (lease) await tx.query(RELEASE_SQL, [nodeId, lease.slot, lease.epoch, 'stopping']);
    });
  }

  async observe(nodeId: string, epoch: number, thresholds: { lateAfterMs: number; notRespondingAfterMs: number }): Promise<number> {
    const { rowCount } = await this.query('orch-observe', OBSERVE_SQL, [nodeId, epoch, thresholds.lateAfterMs, thresholds.notRespondingAfterMs]);
    return rowCount ?? 0;
  }

  async recordEvent(kind: string, nodeId: string, details: Record<string, unknown>): Promise<void> {
    await this.query(undefined, 'INSERT INTO cluster_event (kind, node_id, details) VALUES ($1, $2, $3)', [kind, nodeId, details]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(work: (tx: TTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: TTx = {
      query: (text, values) => client.query({ text, values, query_timeout: this.timeoutMs() } as pg.QueryConfig),
    };
    let broken: Error | undefined;
    try {
      await tx.query('BEGIN', []);
      const result = await work(tx);
      await tx.query('COMMIT', []);
      return result;
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
