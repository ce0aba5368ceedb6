// next-auth's sign-in, sign-out, session and CSRF endpoints
import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

type TRouteContext = { params: Promise<{ nextauth: string[] }> };

// options are built per request: the secret is only known once the server has started
const handler = (req: Request, context: TRouteContext) => NextAuth(req as never, context as never, authOptions());

export { handler as GET, handler as POST };
