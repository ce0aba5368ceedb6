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

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** next-auth's cookies under their usual names, marked Secure when the request came over HTTPS. */
function cookies(secure: boolean): NextAuthOptions['cookies'] {
  const options = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure };
  return {
    sessionToken: { name: 'next-auth.session-token', options },
    callbackUrl: { name: 'next-auth.callback-url', options },
    csrfToken: { name: 'next-auth.csrf-token', options },
  };
}

/**
 * `secure`: the request came over HTTPS. The cookie names stay the same either way (so every
 * reader finds them), but over HTTPS the browser is told never to send them over plain HTTP.
 */
export function authOptions(transport: { secure?: boolean } = {}): NextAuthOptions {
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
          return user ? { id: user.id, name: user.name } : null;
        },
      }),
    ],
    callbacks: {
      // the token carries only the user id; role and existence are read from the database on
      // every request, so a demoted or deleted user loses access at once
      jwt: ({ token, user }) => (user ? { sub: user.id, name: user.name } : token),
      session: ({ session, token }) => ({ ...session, user: { name: token.name, id: token.sub } }),
    },
  };
}
