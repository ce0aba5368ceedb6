/** What the sign-in page offers besides the password form, and the sentences for its error codes. */
import type { TDb } from '@/lib/db/client';
import { readAuthConfig } from '@/lib/auth/directory/auth-config';
import { OIDC_REFUSALS } from '@/lib/auth/directory/oidc-sign-in';
import { logWarn } from '@/lib/node/log';

/** The OpenID sign-in button's text when OpenID Connect is on, else null (also while the database is out of reach). */
export async function openIdSignInLabel(db: TDb): Promise<string | null> {
  try {
    const config = await readAuthConfig(db);
    return config.oidc?.enabled && config.oidcClientSecret !== null ? config.oidc.label : null;
  } catch (error) {
    logWarn(
      'auth',
      `the sign-in page could not read the authentication configuration: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

/**
 * The sentence for an `error` code in the sign-in page's address (ours, or next-auth's). Only
 * known codes are shown: the address is the visitor's to type, and must not put words on our page.
 */
export function signInErrorMessage(code: string): string | undefined {
  if (code in OIDC_REFUSALS) return OIDC_REFUSALS[code as keyof typeof OIDC_REFUSALS];
  if (['OAuthSignin', 'OAuthCallback', 'Callback', 'OAuthCreateAccount'].includes(code)) {
    return 'The sign-in with the OpenID provider failed; the node log says why.';
  }
  if (code === 'AccessDenied') return 'The OpenID provider or this cluster refused the sign-in.';
  return undefined;
}
