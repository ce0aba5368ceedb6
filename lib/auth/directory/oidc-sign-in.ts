/**
 * OpenID Connect through next-auth's OAuth support (openid-client underneath): discovery from the
 * issuer, authorization code with PKCE and state, the user read from the ID token. The callback
 * URL is the node the user opened (next-auth takes the origin from the request, which the front
 * door sets), so every node's URL + OIDC_CALLBACK_PATH is registered at the provider and sign-in
 * works on any of them. The groups claim maps to a role at every sign-in; a user in no mapped
 * group is sent back to the sign-in page with a reason code, never a session. The refresh token
 * the sign-in receives (scope offline_access) is kept, sealed, for the re-check of the user's
 * groups while their sessions live (lib/auth/directory/oidc-refresh.ts).
 */
import type { OAuthConfig } from 'next-auth/providers/oauth';
import type { TDb } from '@/lib/db/client';
import { isAppError } from '@/lib/api/app-error';
import { OIDC_PROVIDER_ID, type TAuthConfig } from '@/lib/auth/directory/auth-config';
import { recordDirectorySignIn } from '@/lib/auth/directory/directory-users';
import { storeRefreshToken } from '@/lib/auth/directory/oidc-refresh';
import { roleForGroups } from '@/lib/auth/directory/role-mapping';
import type { TOidcSettings } from '@/lib/auth/directory/schemas';

/** Why an OpenID sign-in was refused: the code the sign-in page turns into a sentence. */
export const OIDC_REFUSALS = {
  NoGroup: 'You are in none of the groups that grant access to the orchestrator; ask an administrator to add you to one.',
  NameTaken: 'Your name at the OpenID provider belongs to another account here (a local or LDAP user).',
  NoName: 'The OpenID provider did not say who you are (no name claim).',
} as const;
export type TOidcRefusal = keyof typeof OIDC_REFUSALS;

export type TOidcUser = { id: string; name: string; sessionVersion: number } | { id: string; refusal: TOidcRefusal };

type TClaims = Record<string, unknown>;

function claimText(claims: TClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function claimList(claims: TClaims, name: string): string[] {
  const value = claims[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string').slice(0, 1000);
  return typeof value === 'string' ? [value] : [];
}

/** The user row for the ID token's claims, or the reason they are refused; keeps the refresh token if one came. */
export async function signInOidcUser(
  db: TDb,
  settings: TOidcSettings,
  claims: TClaims,
  refreshToken?: string,
): Promise<TOidcUser> {
  const subject = claimText(claims, 'sub') ?? 'unknown';
  const name = (claimText(claims, settings.nameClaim) ?? claimText(claims, 'sub'))?.slice(0, 64);
  if (!name) return { id: subject, refusal: 'NoName' };
  const role = roleForGroups(claimList(claims, settings.groupsClaim), settings.roles);
  if (role === null) return { id: subject, refusal: 'NoGroup' };
  try {
    const user = await recordDirectorySignIn(db, 'oidc', name, role);
    await storeRefreshToken(db, user.id, refreshToken);
    return { id: user.id, name: user.name, sessionVersion: user.sessionVersion };
  } catch (error) {
    if (isAppError(error, 'CONFLICT')) return { id: subject, refusal: 'NameTaken' };
    throw error;
  }
}

/** next-auth's provider for the configured OpenID provider, or null when none is on. */
export function oidcProvider(db: TDb, config: Pick<TAuthConfig, 'oidc' | 'oidcClientSecret'>): OAuthConfig<TClaims> | null {
  const settings = config.oidc;
  if (!settings?.enabled || config.oidcClientSecret === null) return null;
  return {
    id: OIDC_PROVIDER_ID,
    name: settings.label,
    type: 'oauth',
    wellKnown: `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    clientId: settings.clientId,
    clientSecret: config.oidcClientSecret,
    // a refresh token (offline_access) is granted only on an explicit consent prompt (OpenID
    // Connect Core, section 11)
    authorization: {
      params: { scope: settings.scopes, ...(settings.scopes.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}) },
    },
    checks: ['pkce', 'state'],
    idToken: true,
    profile: (claims, tokens) => signInOidcUser(db, settings, claims, tokens.refresh_token) as never,
  };
}
