-- why a node could not read its own configuration at its last heartbeat (null: it could); the
-- cluster page shows the member's sync state as UNREADABLE, and an alarm, while it lasts
ALTER TABLE "cluster_node" ADD COLUMN "config_unreadable" TEXT;
