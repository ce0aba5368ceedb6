-- The rare path of a heartbeat, out of its plan: what the first heartbeat to meet a new database
-- identity does (a promoted standby, a restore). The heartbeat statement calls this only when the
-- identity it passes differs from the one the cluster row remembers, so the writes below are
-- planned and run only then, instead of being set up (and found to have nothing to do) on every
-- heartbeat of every member.
--
-- It records the identity; when one was recorded before, that is a failover: it counts it, lifts
-- the epoch above any the old primary can have granted (lost with asynchronous replication:
-- epochs on timeline T start at T x 10^9), frees every active slot without renewing any (every
-- active node loses its slot and fences itself; a lease the old primary granted may not exist
-- here) and records DATABASE_FAILOVER once. The update of the cluster row is conditional, so of
-- heartbeats that meet the new identity at the same time, one wins and the others change nothing.
--
-- Returns the new failover count when this call recorded a failover, else NULL (the first
-- identity recorded, or another heartbeat was first).
CREATE FUNCTION orch_note_database_identity(p_node uuid, p_system_id text, p_timeline int) RETURNS int
LANGUAGE sql AS $$
WITH seen AS (SELECT database_system_id, database_timeline FROM cluster WHERE id = 1),
noted AS (
  UPDATE cluster k
     SET database_system_id = p_system_id, database_timeline = p_timeline,
         database_failovers = k.database_failovers + CASE WHEN seen.database_system_id IS NULL THEN 0 ELSE 1 END,
         epoch = CASE WHEN seen.database_system_id IS NULL THEN k.epoch ELSE greatest(k.epoch + 1, p_timeline::bigint * 1000000000) END
    FROM seen
   WHERE k.id = 1
     AND (k.database_system_id IS DISTINCT FROM p_system_id OR k.database_timeline IS DISTINCT FROM p_timeline)
  RETURNING seen.database_system_id IS NOT NULL AS failover, k.database_failovers
),
failover AS (SELECT database_failovers FROM noted WHERE failover),
freed AS (
  UPDATE active_slot s SET node_id = NULL, lease_until = now(), claimed_at = NULL, handover_to = NULL, handover_until = NULL
   WHERE s.node_id IS NOT NULL AND EXISTS (SELECT 1 FROM failover)
  RETURNING s.slot, s.node_id, s.epoch
),
recorded AS (
  INSERT INTO cluster_event (kind, node_id, details)
  SELECT 'DATABASE_FAILOVER', p_node,
         jsonb_build_object(
           'from', jsonb_build_object('systemId', seen.database_system_id, 'timeline', seen.database_timeline),
           'to', jsonb_build_object('systemId', p_system_id, 'timeline', p_timeline),
           'server', coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local socket'),
           'fencedSlots', coalesce((SELECT jsonb_agg(jsonb_build_object('slot', slot, 'nodeId', node_id, 'epoch', epoch) ORDER BY slot) FROM freed), '[]'::jsonb))
    FROM seen WHERE EXISTS (SELECT 1 FROM failover)
)
SELECT database_failovers FROM failover
$$;
