-- The light standby heartbeat (lib/cluster/pg-store.ts): a standby whose reports did not change
-- since its last accepted heartbeat sends a statement that writes only its liveness, and it is
-- the cheapest one PostgreSQL can run for that. Two things it needs from here:
--
-- observed_before: in an UPDATE's SET, column references read the row as it was, so the heartbeat
-- sets this to the stage the active node had recorded (NULL when that was ALIVE) and RETURNING
-- reads it back: the stage before the heartbeat, without reading the row a second time. Only that
-- RETURNING means anything by it.
ALTER TABLE "cluster_node" ADD COLUMN "observed_before" TEXT;

-- The RECOVERED event of a member that heartbeats again after the active node marked it LATE or
-- NOT_RESPONDING. The light heartbeat calls this only then, so the insert into cluster_event is
-- not part of its plan (set up, and found to have nothing to do, on every heartbeat otherwise).
CREATE FUNCTION orch_note_recovered(p_node uuid, p_was text) RETURNS boolean
LANGUAGE sql AS $$
INSERT INTO cluster_event (kind, node_id, details) VALUES ('RECOVERED', p_node, jsonb_build_object('was', p_was))
RETURNING true
$$;
