/**
 * Who is calling: a bearer token, HTTP Basic credentials (for the CLI), or the next-auth
 * session cookie. Role, existence and the session's validity always come from the database.
 */
import type { NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { db } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import type { TUser } from '@/lib/auth/roles';
import { authenticateApiToken } from '@/lib/tokens/tokens';
import { verifyCredentials } from '@/lib/auth/verify-credentials';
import { findSessionUser } from '@/lib/auth/sessions';
import { CLIENT_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { AppError } from '@/lib/api/app-error';

export type TAuthenticated = TUser & { via: 'token' | 'password' | 'session' };

export async function authenticateRequest(req: NextRequest): Promise<TAuthenticated | null> {
  const authorization = req.headers.get('authorization');
  if (authorization) {
    const [scheme, value = ''] = authorization.split(' ', 2);
    if (/^bearer$/i.test(scheme)) {
      const user = await authenticateApiToken(db(), value.trim());
      if (!user) throw new AppError('UNAUTHENTICATED', 'the API token is not valid, has expired or was revoked');
      return { ...user, via: 'token' };
    }
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = await verifyCredentials(db(), {
        name: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        address: req.headers.get(CLIENT_ADDRESS_HEADER) ?? undefined,
      });
      if (!user) throw new AppError('UNAUTHENTICATED', 'wrong user name or password');
      return { id: user.id, name: user.name, role: user.role, via: 'password' };
    }
    throw new AppError('UNAUTHENTICATED', 'unsupported Authorization scheme (use Bearer or Basic)');
  }
  const token = await getToken({ req, secret: serverEnv().NEXTAUTH_SECRET });
  if (!token) return null;
  // a session signed before a password change, a reset or a sign-out is refused here
  const user = await findSessionUser(db(), token);
  return user ? { ...user, via: 'session' } : null;
}
