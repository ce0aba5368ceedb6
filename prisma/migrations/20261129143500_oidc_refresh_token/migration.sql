-- OpenID users: the refresh token of their latest sign-in, sealed (AES-256-GCM); the periodic
-- re-check of their groups uses it
ALTER TABLE "app_user" ADD COLUMN     "oidc_refresh_token" TEXT;
