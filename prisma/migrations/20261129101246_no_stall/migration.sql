-- No single node can stall the cluster.
--
-- 1. The clock skew (database clock minus the node's wall clock, in ms) becomes a double: a node
--    whose clock is 25 days or more off overflowed the integer column and every one of its
--    heartbeats failed.
-- 2. Every write that changes who may hold a slot is ONE statement (a call of one of these
--    functions), so the cluster-row lock is taken and released inside the server: a node that
--    freezes or is cut off after sending it cannot keep the lock.

-- AlterTable
ALTER TABLE "cluster_node" ALTER COLUMN "clock_skew_ms" SET DATA TYPE DOUBLE PRECISION;

-- The lease check, in one place: this node holds a slot under this epoch and its lease has not
-- run out on the database clock. Every fenced write uses it (inlined by the planner).
CREATE FUNCTION orch_lease_held(p_node uuid, p_epoch bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM active_slot s WHERE s.node_id = p_node AND s.epoch = p_epoch AND s.lease_until > now())
$$;

-- The cluster-row lock, in one place: every change of slot ownership (claims, hand-overs,
-- settings) takes it first, so they never interleave. Only ever called inside one statement.
CREATE FUNCTION orch_lock_cluster() RETURNS cluster
LANGUAGE sql AS $$
  SELECT * FROM cluster WHERE id = 1 FOR UPDATE
$$;

-- A member that may take a slot now: alive (heartbeat within p_late_ms on the database clock),
-- not stopped, removed or in maintenance, and holding no valid lease already.
CREATE FUNCTION orch_may_claim(n cluster_node, p_late_ms double precision) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT n.removed_at IS NULL AND n.stopped_at IS NULL AND NOT n.maintenance
     AND n.last_heartbeat_at > now() - make_interval(secs => p_late_ms / 1000.0)
     AND NOT EXISTS (SELECT 1 FROM active_slot v WHERE v.node_id = n.id AND v.lease_until > now())
$$;

-- A claim: takes a free slot for p_node and bumps the epoch (the fencing token). Returns
-- {slot, epoch, windowMs, intervalMs}, or {waitMs} when a member ahead in line still has the
-- slot's grace to claim it, or NULL. The longest-standing eligible member is preferred, for
-- p_grace_ms after the slot became free; after that any eligible member may claim, so a slow
-- or frozen first standby is a preference, not a gate.
CREATE FUNCTION orch_claim(p_node uuid, p_late_ms double precision, p_grace_ms double precision) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c cluster;
  me cluster_node;
  pick record;
  ahead integer;
  unreserved integer;
  next_epoch bigint;
BEGIN
  c := orch_lock_cluster();
  SELECT * INTO me FROM cluster_node n WHERE n.id = p_node;
  IF NOT FOUND OR NOT orch_may_claim(me, p_late_ms) THEN
    RETURN NULL;
  END IF;
  SELECT s.slot, (s.handover_to = p_node AND s.handover_until > now()) IS TRUE AS reserved_for_me,
         extract(epoch FROM now() - s.lease_until) * 1000 AS free_for_ms
    INTO pick
    FROM active_slot s
   WHERE s.slot < c.active_node_count AND (s.node_id IS NULL OR s.lease_until <= now())
     AND (s.handover_to IS NULL OR s.handover_until <= now() OR s.handover_to = p_node)
   ORDER BY 2 DESC, s.slot
   LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF NOT pick.reserved_for_me AND pick.free_for_ms < p_grace_ms THEN
    SELECT count(*) INTO ahead FROM cluster_node o WHERE o.member_no < me.member_no AND orch_may_claim(o, p_late_ms);
    SELECT count(*) INTO unreserved FROM active_slot s
     WHERE s.slot < c.active_node_count AND (s.node_id IS NULL OR s.lease_until <= now())
       AND (s.handover_to IS NULL OR s.handover_until <= now());
    IF ahead >= unreserved THEN
      RETURN jsonb_build_object('waitMs', p_grace_ms - pick.free_for_ms);
    END IF;
  END IF;
  UPDATE cluster SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch INTO next_epoch;
  UPDATE active_slot
     SET node_id = p_node, epoch = next_epoch,
         lease_until = now() + make_interval(secs => c.heartbeat_interval_ms * c.failover_heartbeats / 1000.0),
         claimed_at = now(), handover_to = NULL, handover_until = NULL
   WHERE slot = pick.slot;
  INSERT INTO cluster_event (kind, node_id, details)
  VALUES ('BECAME_ACTIVE', p_node, jsonb_build_object('slot', pick.slot, 'epoch', next_epoch)
          || CASE WHEN pick.reserved_for_me THEN jsonb_build_object('handover', true) ELSE '{}'::jsonb END);
  RETURN jsonb_build_object('slot', pick.slot, 'epoch', next_epoch,
                            'windowMs', c.heartbeat_interval_ms * c.failover_heartbeats, 'intervalMs', c.heartbeat_interval_ms);
END
$$;

-- Make active: reserves a slot for p_node (a free one, else the highest held one, whose holder
-- hands it back at its next heartbeat). Returns {slot, from}, or {refused: state} when the node
-- is not a live standby (on the database clock, at this moment).
CREATE FUNCTION orch_request_handover(p_node uuid, p_actor text, p_late_ms double precision) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c cluster;
  n cluster_node;
  target record;
BEGIN
  c := orch_lock_cluster();
  SELECT * INTO n FROM cluster_node WHERE id = p_node;
  IF NOT FOUND OR n.removed_at IS NOT NULL THEN
    RETURN jsonb_build_object('refused', 'NOT_FOUND');
  END IF;
  IF n.last_heartbeat_at <= now() - make_interval(secs => p_late_ms / 1000.0) OR n.maintenance
     OR EXISTS (SELECT 1 FROM active_slot v WHERE v.node_id = n.id AND v.lease_until > now()) THEN
    RETURN jsonb_build_object('refused', 'NOT_STANDBY');
  END IF;
  SELECT s.slot, CASE WHEN s.lease_until > now() THEN s.node_id END AS node_id INTO target
    FROM active_slot s WHERE s.slot < c.active_node_count
   ORDER BY (s.node_id IS NULL OR s.lease_until <= now()) DESC, s.slot DESC LIMIT 1;
  UPDATE active_slot
     SET handover_to = p_node, handover_until = now() + make_interval(secs => c.heartbeat_interval_ms * c.failover_heartbeats / 1000.0)
   WHERE slot = target.slot;
  INSERT INTO cluster_event (kind, node_id, actor, details)
  VALUES ('HANDOVER_REQUESTED', p_node, p_actor, jsonb_build_object('slot', target.slot, 'from', target.node_id));
  RETURN jsonb_build_object('slot', target.slot, 'from', target.node_id);
END
$$;
