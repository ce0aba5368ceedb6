-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "expires_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "app_user" ADD COLUMN     "session_version" INTEGER NOT NULL DEFAULT 1;

-- Rows of the old scheme (per user name, fixed window) mean nothing to the new one
DELETE FROM "login_throttle";

-- AlterTable
ALTER TABLE "login_throttle" DROP COLUMN "window_started_at",
ADD COLUMN     "last_failure_at" TIMESTAMPTZ(3) NOT NULL;

-- CreateTable
CREATE TABLE "revoked_session" (
    "session_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revoked_session_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "audit_throttle" (
    "address" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "entries" INTEGER NOT NULL,

    CONSTRAINT "audit_throttle_pkey" PRIMARY KEY ("address","minute")
);

-- CreateIndex
CREATE INDEX "revoked_session_expires_at_idx" ON "revoked_session"("expires_at");

-- CreateIndex
CREATE INDEX "audit_throttle_minute_idx" ON "audit_throttle"("minute");

-- CreateIndex
CREATE INDEX "login_throttle_last_failure_at_idx" ON "login_throttle"("last_failure_at");
