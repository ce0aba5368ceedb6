/**
 * next-auth: the Credentials provider with JWT sessions. The signing secret comes from the shared
 * database (handed to the server by its supervisor), so a session is valid on every node.
 */
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { db } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import { verifyCredentials } from '@/lib/auth/verify-credentials';
import { CLIENT_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { newSessionClaims, revokeSession } from '@/lib/auth/sessions';
import { sameSitePath } from '@/lib/auth/pick-return-path';
import { readAuthConfig, type TAuthConfig } from '@/lib/auth/directory/auth-config';
import { oidcProvider } from '@/lib/auth/directory/oidc-sign-in';

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** next-auth's cookies under their usual names, marked Secure when the request came over HTTPS. */
function cookies(secure: boolean): NextAuthOptions['cookies'] {
  const options = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure };
  return {
    sessionToken: { name: 'next-auth.session-token', options },
    callbackUrl: { name: 'next-auth.callback-url', options },
    csrfToken: { name: 'next-auth.csrf-token', options },
    // an OpenID sign-in's PKCE verifier and state, kept until the provider sends the browser back
    pkceCodeVerifier: { name: 'next-auth.pkce.code_verifier', options: { ...options, maxAge: 15 * 60 } },
    state: { name: 'next-auth.state', options: { ...options, maxAge: 15 * 60 } },
  };
}

/**
 * `secure`: the request came over HTTPS. The cookie names stay the same either way (so every
 * reader finds them), but over HTTPS the browser is told never to send them over plain HTTP.
 */
export function authOptions(
  transport: { secure?: boolean } = {},
  directory: Pick<TAuthConfig, 'oidc' | 'oidcClientSecret'> | null = null,
): NextAuthOptions {
  const oidc = directory ? oidcProvider(db(), directory) : null;
  return {
    secret: serverEnv().NEXTAUTH_SECRET,
    cookies: cookies(transport.secure === true),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Password',
        credentials: { username: { label: 'User', type: 'text' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          if (!credentials?.username || !credentials.password) return null;
          const header = req.headers?.[CLIENT_ADDRESS_HEADER];
          // a thrown message reaches the sign-in form as its error text
          const user = await verifyCredentials(db(), {
            name: credentials.username,
            password: credentials.password,
            address: typeof header === 'string' ? header : undefined,
          });
          return user ? { id: user.id, name: user.name, sessionVersion: user.sessionVersion } : null;
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      // an OpenID user the groups claim grants nothing goes back to the sign-in page with the reason
      signIn: ({ user }) => ('refusal' in user ? `/login?error=${String(user.refusal)}` : true),
      // the token carries the user id, session version and session id; role, existence and
      // validity are read from the database on every request (lib/auth/sessions.ts), so a
      // demoted, deleted or signed-out user loses access at once
      jwt: ({ token, user }) => (user ? newSessionClaims(user as typeof user & { sessionVersion: number }) : token),
      session: ({ session, token }) => ({ ...session, user: { name: token.name, id: token.sub, sv: token.sv, sid: token.sid } }),
      // the one rule for where a browser may be sent after signing in or out: this site only
      redirect: ({ url, baseUrl }) => `${baseUrl}${sameSitePath(url, baseUrl) ?? '/cluster'}`,
    },
    events: {
      signOut: async ({ token }) => {
        if (token) await revokeSession(db(), token);
      },
    },
  };
}

/** The options of next-auth's own endpoints: with the OpenID provider as the cluster's configuration says now. */
export async function authOptionsForRequest(transport: { secure?: boolean }): Promise<NextAuthOptions> {
  return authOptions(transport, await readAuthConfig(db()));
}
