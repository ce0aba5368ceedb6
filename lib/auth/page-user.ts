/** Guards for server-rendered pages: the signed-in user, read from the database. */
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { authOptions } from '@/lib/auth/options';
import { db } from '@/lib/db/client';
import { hasRole, type TRole, type TUser } from '@/lib/auth/roles';
import { findUser } from '@/lib/users/users';

export async function getPageUser(): Promise<TUser | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  return id ? findUser(db(), id) : null;
}

/** The signed-in user, or a redirect to the sign-in page. */
export async function requirePageUser(minimum: TRole = 'viewer'): Promise<TUser> {
  const user = await getPageUser();
  if (!user) redirect('/login');
  if (!hasRole(user, minimum)) redirect('/cluster');
  return user;
}
