/**
 * The periodic re-check of an OpenID user's groups: the refresh token their latest sign-in
 * received is exchanged at the provider's token endpoint (openid-client), and the groups claim of
 * the new ID token (or of the userinfo answer when the ID token lacks it) is what the role is
 * recomputed from (lib/auth/directory/directory-users.ts).
 *
 * The refresh token is a secret. It is kept in app_user.oidc_refresh_token only, sealed with
 * AES-256-GCM (lib/secrets/secret-box.ts) under a key derived (HKDF) from the session secret,
 * which every node already holds; the user's id is the associated data, so a sealed token copied
 * to another row does not open. No code path returns, logs or exports it.
 */
import { hkdfSync } from 'node:crypto';
import * as oidcClient from 'openid-client';
import type { TDb } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/api/app-error';
import { openSecret, sealSecret } from '@/lib/secrets/secret-box';
import type { TOidcSettings } from '@/lib/auth/directory/schemas';
import { logWarn } from '@/lib/node/log';

/** A provider that does not answer within this many seconds counts as unreachable. */
const PROVIDER_TIMEOUT_SECONDS = 10;

function refreshTokenKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, '', 'orchestrator: OpenID refresh tokens', 32));
}

const sealName = (userId: string) => `oidc-refresh-token:${userId}`;

/** A refresh token as app_user.oidc_refresh_token holds it. */
export function sealRefreshToken(sessionSecret: string, userId: string, refreshToken: string): string {
  return sealSecret(refreshTokenKey(sessionSecret), sealName(userId), refreshToken);
}

/** The refresh token in a stored value; throws when it was sealed under another secret or for another user. */
export function openRefreshToken(sessionSecret: string, userId: string, sealed: string): string {
  return openSecret(refreshTokenKey(sessionSecret), sealName(userId), sealed);
}

/** Keeps the refresh token a sign-in or a refresh received; none (undefined) clears the stored one. */
export async function storeRefreshToken(db: TDb, userId: string, refreshToken: string | undefined): Promise<void> {
  const sealed = refreshToken ? sealRefreshToken(serverEnv().NEXTAUTH_SECRET, userId, refreshToken) : null;
  await db.$executeRaw`UPDATE app_user SET oidc_refresh_token = ${sealed} WHERE id = ${userId}::uuid`;
}

async function storedRefreshToken(db: TDb, userId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ sealed: string | null }[]>`
    SELECT oidc_refresh_token AS sealed FROM app_user WHERE id = ${userId}::uuid`;
  const sealed = rows[0]?.sealed;
  if (!sealed) return null;
  try {
    return openRefreshToken(serverEnv().NEXTAUTH_SECRET, userId, sealed);
  } catch {
    // sealed under another session secret (it was replaced): as good as none
    return null;
  }
}

/** The provider as its discovery document describes it, with our client's credentials. */
async function providerConfiguration(settings: TOidcSettings, clientSecret: string): Promise<oidcClient.Configuration> {
  const issuer = new URL(settings.issuer);
  return oidcClient.discovery(issuer, settings.clientId, undefined, oidcClient.ClientSecretBasic(clientSecret), {
    timeout: PROVIDER_TIMEOUT_SECONDS,
    // an http:// issuer is allowed by the settings (a provider on loopback or a private network)
    execute: issuer.protocol === 'http:' ? [oidcClient.allowInsecureRequests] : [],
  });
}

function groupsOf(claims: Record<string, unknown> | undefined, groupsClaim: string): string[] | undefined {
  const value = claims?.[groupsClaim];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string').slice(0, 1000);
  return typeof value === 'string' ? [value] : undefined;
}

/**
 * The user's groups as the provider says now, or null when it refuses to say (no refresh token
 * stored, or the provider answers invalid_grant: the grant was revoked, the account removed, the
 * token expired). Throws DIRECTORY_UNREACHABLE when the provider cannot be asked (down, slow, or
 * an answer that is not a refusal); the caller then keeps the role read last.
 */
export async function readOidcGroups(
  db: TDb,
  user: { id: string; name: string },
  settings: TOidcSettings,
  clientSecret: string,
): Promise<string[] | null> {
  const refreshToken = await storedRefreshToken(db, user.id);
  if (refreshToken === null) {
    logWarn(
      'auth',
      `no refresh token is stored for the OpenID user ${user.name}, so their groups cannot be re-checked; they must sign in again (request the offline_access scope so that the provider issues one)`,
    );
    return null;
  }
  try {
    const provider = await providerConfiguration(settings, clientSecret);
    const tokens = await oidcClient.refreshTokenGrant(provider, refreshToken);
    // a provider that rotates refresh tokens has just invalidated the one we used
    if (tokens.refresh_token && tokens.refresh_token !== refreshToken) await storeRefreshToken(db, user.id, tokens.refresh_token);
    const idClaims = tokens.claims();
    const fromIdToken = groupsOf(idClaims, settings.groupsClaim);
    if (fromIdToken) return fromIdToken;
    const userinfo = await oidcClient.fetchUserInfo(provider, tokens.access_token, idClaims?.sub ?? oidcClient.skipSubjectCheck);
    return groupsOf(userinfo, settings.groupsClaim) ?? [];
  } catch (error) {
    if (error instanceof oidcClient.ResponseBodyError && error.error === 'invalid_grant') return null;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('DIRECTORY_UNREACHABLE', `the OpenID provider ${settings.issuer} could not be asked: ${reason}`);
  }
}
