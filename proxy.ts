// Pages need a signed-in user with a session still valid in the database (not signed out, not
// older than the user's last password change): otherwise the browser goes to /login.
// APIs are not matched here: they answer 401 JSON from their wrapper instead of redirecting.
import { withAuth } from 'next-auth/middleware';
import { db } from '@/lib/db/client';
import { findSessionUser } from '@/lib/auth/sessions';

export default withAuth({
  pages: { signIn: '/login' },
  callbacks: { authorized: async ({ token }) => (await findSessionUser(db(), token)) !== null },
});

export const config = {
  matcher: ['/((?!api|login|_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
