/** Guards for server-rendered pages: the signed-in user, read from the database. */
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { authOptions } from '@/lib/auth/options';
import { db } from '@/lib/db/client';
import { hasRole, type TRole, type TUser } from '@/lib/auth/roles';
import { findSessionUser } from '@/lib/auth/sessions';

export async function getPageUser(): Promise<TUser | null> {
  const session = await getServerSession(authOptions());
  const claims = session?.user as { id?: string; sv?: unknown; sid?: unknown } | undefined;
  return claims?.id ? findSessionUser(db(), { sub: claims.id, sv: claims.sv, sid: claims.sid }) : null;
}

/** The signed-in user, or a redirect to the sign-in page. */
export async function requirePageUser(minimum: TRole = 'viewer'): Promise<TUser> {
  const user = await getPageUser();
  if (!user) redirect('/login');
  if (!hasRole(user, minimum)) redirect('/cluster');
  return user;
}
