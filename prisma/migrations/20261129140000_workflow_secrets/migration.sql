-- Cluster-wide named secrets for workflows, encrypted at rest (AES-256-GCM) with the cluster
-- key, which lives only in the nodes' data directories; key_id names the key it was sealed with.
CREATE TABLE "workflow_secret" (
    "name" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_secret_pkey" PRIMARY KEY ("name")
);
