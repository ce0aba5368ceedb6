-- AlterTable
ALTER TABLE "app_user" ADD COLUMN     "refused_at" TIMESTAMPTZ(3),
ADD COLUMN     "role_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'local',
ALTER COLUMN "password_hash" DROP NOT NULL;

-- CreateTable
CREATE TABLE "auth_config" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 1,
    "local_accounts_enabled" BOOLEAN NOT NULL DEFAULT true,
    "role_recheck_seconds" INTEGER NOT NULL DEFAULT 300,
    "ldap" JSONB,
    "ldap_bind_password" TEXT,
    "oidc" JSONB,
    "oidc_client_secret" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "auth_config_pkey" PRIMARY KEY ("id")
);

-- one configuration per cluster; a user's source is one of three; the row exists from the start,
-- so that every edit is an update under the stale-version rule
ALTER TABLE "auth_config" ADD CONSTRAINT "auth_config_single_row" CHECK ("id" = 1);
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_source_known" CHECK ("source" IN ('local', 'ldap', 'oidc'));
INSERT INTO "auth_config" ("id") VALUES (1);
