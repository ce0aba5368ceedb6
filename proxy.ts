// Pages need a signed-in user: without a session cookie the browser goes to /login.
// APIs are not matched here: they answer 401 JSON from their wrapper instead of redirecting.
import { withAuth } from 'next-auth/middleware';

export default withAuth({ pages: { signIn: '/login' } });

export const config = {
  matcher: ['/((?!api|login|_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
