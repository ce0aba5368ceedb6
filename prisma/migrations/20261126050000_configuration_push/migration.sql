-- AlterTable
ALTER TABLE "cluster_node" ADD COLUMN     "active_config" JSONB,
ADD COLUMN     "applied_config_version" INTEGER,
ADD COLUMN     "keeps_own_certificate" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pending_config" JSONB,
ADD COLUMN     "restart_requested_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "config_version" (
    "version" SERIAL NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "files" JSONB NOT NULL,
    "pushed_by" TEXT NOT NULL,
    "pushed_from_node" UUID NOT NULL,
    "pushed_from_name" TEXT NOT NULL,
    "pushed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_version_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "config_blob" (
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_blob_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "config_rollout" (
    "id" SERIAL NOT NULL,
    "version" INTEGER NOT NULL,
    "started_by" TEXT NOT NULL,
    "coordinator_node" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "message" TEXT,
    "restore_active_node_count" INTEGER,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "config_rollout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "config_rollout_status_idx" ON "config_rollout"("status");

-- A pushed version never changes: the reference configuration is history, not state.
CREATE FUNCTION config_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'config_version rows are immutable';
END $$;
CREATE TRIGGER config_version_immutable BEFORE UPDATE OR DELETE ON "config_version"
  FOR EACH ROW EXECUTE FUNCTION config_version_immutable();
