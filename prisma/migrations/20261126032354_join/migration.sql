-- AlterTable
ALTER TABLE "cluster" ADD COLUMN     "certificate_pem" TEXT,
ADD COLUMN     "private_key_pem" TEXT;

-- CreateTable
CREATE TABLE "join_token" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by" UUID,

    CONSTRAINT "join_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "join_token_token_hash_key" ON "join_token"("token_hash");
