-- CreateTable
CREATE TABLE "cluster" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "cluster_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL DEFAULT 0,
    "heartbeat_interval_ms" INTEGER NOT NULL,
    "failover_heartbeats" INTEGER NOT NULL,
    "active_node_count" INTEGER NOT NULL,
    "settings_version" INTEGER NOT NULL DEFAULT 1,
    "settings_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "previous_window_ms" INTEGER NOT NULL,
    "previous_interval_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_node" (
    "id" UUID NOT NULL,
    "member_no" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_count" BIGINT NOT NULL DEFAULT 0,
    "clock_skew_ms" INTEGER,
    "maintenance" BOOLEAN NOT NULL DEFAULT false,
    "observed" TEXT NOT NULL DEFAULT 'ALIVE',
    "stopped_at" TIMESTAMPTZ(3),
    "removed_at" TIMESTAMPTZ(3),
    "removed_by" TEXT,
    "active_fingerprint" TEXT,
    "pending_fingerprint" TEXT,

    CONSTRAINT "cluster_node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "active_slot" (
    "slot" INTEGER NOT NULL,
    "node_id" UUID,
    "epoch" BIGINT NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),
    "handover_to" UUID,
    "handover_until" TIMESTAMPTZ(3),

    CONSTRAINT "active_slot_pkey" PRIMARY KEY ("slot")
);

-- CreateTable
CREATE TABLE "cluster_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "node_id" UUID,
    "actor" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "cluster_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cluster_cluster_id_key" ON "cluster"("cluster_id");

-- CreateIndex
CREATE UNIQUE INDEX "cluster_node_member_no_key" ON "cluster_node"("member_no");

-- CreateIndex
CREATE INDEX "active_slot_node_id_idx" ON "active_slot"("node_id");

-- CreateIndex
CREATE INDEX "cluster_event_at_idx" ON "cluster_event"("at");

-- CreateIndex
CREATE INDEX "cluster_event_node_id_at_idx" ON "cluster_event"("node_id", "at");

-- One cluster per database, and settings inside their documented ranges even for hand-made writes.
ALTER TABLE "cluster" ADD CONSTRAINT "cluster_singleton" CHECK ("id" = 1);
ALTER TABLE "cluster" ADD CONSTRAINT "cluster_settings_ranges" CHECK (
    "heartbeat_interval_ms" BETWEEN 200 AND 300000
    AND "failover_heartbeats" BETWEEN 2 AND 100
    AND "active_node_count" BETWEEN 1 AND 64);

-- Every possible active slot exists from the start; the number of active nodes says how many count.
INSERT INTO "active_slot" ("slot") SELECT generate_series(0, 63);
