-- CreateTable
CREATE TABLE "workflow_definition" (
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "definition" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_definition_pkey" PRIMARY KEY ("name","version")
);

-- CreateTable
CREATE TABLE "workflow_run" (
    "id" UUID NOT NULL,
    "workflow_name" TEXT NOT NULL,
    "workflow_version" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "variables" JSONB NOT NULL,
    "element_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "step" INTEGER NOT NULL DEFAULT 0,
    "owner_node" UUID,
    "owner_epoch" BIGINT,
    "wake_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "started_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "workflow_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_run_event" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "element_id" TEXT,
    "attempt" INTEGER,
    "node_id" UUID,
    "epoch" BIGINT,
    "message" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "workflow_run_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_log_entry" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "element_id" TEXT,
    "node_id" UUID,

    CONSTRAINT "workflow_log_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_lock" (
    "resource" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_lock_pkey" PRIMARY KEY ("resource")
);

-- CreateIndex
CREATE INDEX "workflow_run_status_created_at_idx" ON "workflow_run"("status", "created_at");

-- CreateIndex
CREATE INDEX "workflow_run_owner_node_idx" ON "workflow_run"("owner_node");

-- CreateIndex
CREATE INDEX "workflow_run_workflow_name_created_at_idx" ON "workflow_run"("workflow_name", "created_at");

-- CreateIndex
CREATE INDEX "workflow_run_finished_at_idx" ON "workflow_run"("finished_at");

-- CreateIndex
CREATE INDEX "workflow_run_event_run_id_id_idx" ON "workflow_run_event"("run_id", "id");

-- CreateIndex
CREATE INDEX "workflow_log_entry_run_id_id_idx" ON "workflow_log_entry"("run_id", "id");

-- CreateIndex
CREATE INDEX "workflow_lock_run_id_idx" ON "workflow_lock"("run_id");

-- AddForeignKey
ALTER TABLE "workflow_run_event" ADD CONSTRAINT "workflow_run_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_log_entry" ADD CONSTRAINT "workflow_log_entry_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_lock" ADD CONSTRAINT "workflow_lock_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
