-- Schedules: a workflow started by a cron expression in a time zone, or every N seconds. Only an
-- active node fires one, under its epoch, in one fenced statement that moves next_fire_at on
-- (compare-and-set) and inserts the runs; a run is keyed by (schedule, scheduled time), so one
-- slot never fires twice, whatever nodes race or wake up late.
CREATE TABLE "workflow_schedule" (
    "id" UUID NOT NULL,
    "workflow_name" TEXT NOT NULL,
    "cron" TEXT,
    "time_zone" TEXT,
    "every_seconds" INTEGER,
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "misfire" TEXT NOT NULL DEFAULT 'fire-once',
    "catch_up_seconds" INTEGER NOT NULL DEFAULT 0,
    "overlap" TEXT NOT NULL DEFAULT 'allow',
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "anchor_at" TIMESTAMPTZ(3) NOT NULL,
    "next_fire_at" TIMESTAMPTZ(3) NOT NULL,
    "last_fired_at" TIMESTAMPTZ(3),
    "last_fired_for" TIMESTAMPTZ(3),
    "last_fired_node" UUID,
    "last_fired_epoch" BIGINT,
    "last_result" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_schedule_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "workflow_schedule_paused_next_fire_at_idx" ON "workflow_schedule"("paused", "next_fire_at");

ALTER TABLE "workflow_run" ADD COLUMN "schedule_id" UUID,
ADD COLUMN "scheduled_for" TIMESTAMPTZ(3);

CREATE UNIQUE INDEX "workflow_run_schedule_id_scheduled_for_key" ON "workflow_run"("schedule_id", "scheduled_for");

ALTER TABLE "workflow_run" ADD CONSTRAINT "workflow_run_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "workflow_schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
