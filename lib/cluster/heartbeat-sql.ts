/**
 * The heartbeat statements PgClusterStore sends (pg-store.ts): a standby's full text, its light
 * text, and an active node's, built from the parts they share. Each is one statement.
 */
import { SETTINGS_COLUMNS, SETTINGS_JSON } from '@/lib/cluster/cluster-row';

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
export const STANDBY_HEARTBEAT_SQL = `
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
export const LIGHT_STANDBY_HEARTBEAT_SQL = `
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
export const ACTIVE_HEARTBEAT_SQL = `
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
