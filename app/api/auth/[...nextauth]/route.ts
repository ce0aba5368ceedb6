// next-auth's sign-in, sign-out, session and CSRF endpoints
import NextAuth from 'next-auth';
import { authOptionsForRequest } from '@/lib/auth/options';
import { PROTOCOL_HEADER } from '@/lib/auth/client-address';

type TRouteContext = { params: Promise<{ nextauth: string[] }> };

// options are built per request: the secret is only known once the server has started, the
// cookies are Secure when this request came over HTTPS, and the OpenID provider is the one the
// cluster's authentication configuration names now
const handler = async (req: Request, context: TRouteContext) =>
  NextAuth(req as never, context as never, await authOptionsForRequest({ secure: req.headers.get(PROTOCOL_HEADER) === 'https' }));

export { handler as GET, handler as POST };
