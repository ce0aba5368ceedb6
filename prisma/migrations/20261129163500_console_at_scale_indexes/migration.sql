-- The console at scale (100,000 runs and more). The runs list pages newest first with a cursor
-- (created_at, id): without a filter it needs an index in that order, or each page sorts every
-- run. Its node filter ("runs this node owns or executed") looks for the node's events: from the
-- node's side for a node that executed few runs, run by run (node and run) for one that executed
-- most of them.
CREATE INDEX "workflow_run_created_at_id_idx" ON "workflow_run"("created_at", "id");

CREATE INDEX "workflow_run_event_node_id_run_id_idx" ON "workflow_run_event"("node_id", "run_id");
