-- The shared database's identity as the cluster last saw it: the system identifier
-- (pg_control_system()) and the timeline of the server that took the heartbeats. A heartbeat
-- that meets a different one is the first to see a failover (a promoted standby, a restore):
-- it records DATABASE_FAILOVER and frees every active slot, so that slots are claimed again
-- under a new epoch on the new primary.

-- AlterTable
ALTER TABLE "cluster" ADD COLUMN     "database_system_id" TEXT,
ADD COLUMN     "database_timeline" INTEGER,
ADD COLUMN     "database_failovers" INTEGER NOT NULL DEFAULT 0;
