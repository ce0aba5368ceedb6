/**
 * The claim: one statement that takes the free runs an active node may execute, under its lease
 * and epoch, and starts the fresh ones it can start itself. $1/$2: the node and its epoch; $3:
 * how many runs at most; $4: the runs it executes now; $5: the workflow versions it may start in
 * the claim (JSON); $6: the node's name, for the STARTED event. Used by RunStore.claim.
 */

// A run is free when nobody owns it, or when its owner no longer holds a valid lease under the
// epoch it claimed the run with (dead, fenced, in maintenance, or active again under a new
// epoch). SKIP LOCKED: two active nodes claiming at once take different runs, never wait.
const CLAIMABLE = `
  -- a CASE, so that the lease check is asked only of runs that name an owner: asked of every
  -- waiting run, it made the claim as slow as the queue is long
  CASE WHEN r.owner_node IS NULL THEN true
       -- this runner's own run that it no longer executes (it gave up after a database error)
       WHEN r.owner_node = $1 AND r.owner_epoch = $2 THEN r.id <> ALL($4::uuid[])
       ELSE NOT orch_lease_held(r.owner_node, r.owner_epoch) END
  AND orch_lease_held($1, $2)`;

// The first claimable runs of one status, oldest first, locked (one ordered scan of the
// (status, created_at) index, as long as the claim at most).
const claimableWith = (status: 'RUNNING' | 'PENDING') => `
  SELECT r.id, r.created_at, r.owner_node AS previous_node, r.owner_epoch AS previous_epoch, r.step, r.workflow_name,
         r.workflow_version, r.element_id
    FROM workflow_run r
   WHERE r.status = '${status}' AND ${CLAIMABLE}
   ORDER BY r.created_at
   LIMIT $3
     FOR UPDATE OF r SKIP LOCKED`;

// $5 lists workflow versions whose first element starts the same whatever the variables (its
// ELEMENT event's details): a run of one of them that no node has started yet is started by the
// claim itself (its first checkpoint: step 1, attempt 1, its STARTED and ELEMENT events, under
// the same lease check and epoch), so that it needs no round trip of its own before its first
// element. Any other run is started by the runner's own checkpoint.
//
// Taken-over and waiting runs in two scans: one scan of both statuses had to read and sort every
// waiting run on every claim (its cost grew with the queue). Rows locked there and not picked are
// free again when the statement ends.
export const CLAIM_SQL = `
WITH taken_over AS (${claimableWith('RUNNING')}
),
waiting AS (${claimableWith('PENDING')}
),
candidates AS (
  SELECT * FROM taken_over UNION ALL SELECT * FROM waiting
),
picked AS (
  SELECT c.id, c.previous_node, c.previous_epoch,
         -- asked only of the runs picked
         CASE WHEN c.step = 0 AND c.previous_node IS NULL THEN
           (SELECT s.details FROM jsonb_to_recordset($5::jsonb) AS s(workflow_name text, workflow_version int, element_id text, details jsonb)
             WHERE s.workflow_name = c.workflow_name AND s.workflow_version = c.workflow_version AND s.element_id = c.element_id
             LIMIT 1)
         END AS start_details
    FROM (SELECT * FROM candidates ORDER BY created_at LIMIT $3) c
),
claimed AS (
  UPDATE workflow_run r
     SET owner_node = $1, owner_epoch = $2, status = 'RUNNING', updated_at = now(),
         -- a run that still names an owner was not handed over: its element was interrupted (the
         -- node died or was fenced, or the element's checkpoint failed); counted, so that an
         -- element that keeps failing is not taken up for ever
         retries = CASE WHEN picked.start_details IS NOT NULL THEN 0
                        WHEN picked.previous_node IS NOT NULL THEN r.retries + 1 ELSE r.retries END,
         step = CASE WHEN picked.start_details IS NULL THEN r.step ELSE r.step + 1 END,
         attempt = CASE WHEN picked.start_details IS NULL THEN r.attempt ELSE 1 END,
         wake_at = CASE WHEN picked.start_details IS NULL THEN r.wake_at END
    FROM picked
   WHERE r.id = picked.id
  RETURNING r.id, r.workflow_name, r.workflow_version, r.variables, r.element_id, r.attempt, r.step, r.retries,
            r.created_at, picked.previous_node, picked.previous_epoch, picked.start_details
),
started AS (
  INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message, details)
  SELECT claimed.id, e.kind, e.element_id, e.attempt, $1, $2, e.message, e.details
    FROM claimed, LATERAL (VALUES
           (1, 'STARTED', NULL::text, NULL::int, 'started on node ' || $6::text || ', epoch ' || $2::text, '{}'::jsonb),
           (2, 'ELEMENT', claimed.element_id, 1, NULL::text, claimed.start_details)) AS e(k, kind, element_id, attempt, message, details)
   WHERE claimed.start_details IS NOT NULL
   ORDER BY claimed.created_at, claimed.id, e.k
)
SELECT claimed.id, claimed.workflow_name, claimed.workflow_version, claimed.variables, claimed.element_id, claimed.attempt,
       claimed.step, claimed.retries, claimed.previous_node, claimed.previous_epoch::float8 AS previous_epoch,
       claimed.start_details IS NOT NULL AS started,
       (SELECT n.name FROM cluster_node n WHERE n.id = claimed.previous_node) AS previous_node_name
  FROM claimed
 ORDER BY claimed.created_at`;
