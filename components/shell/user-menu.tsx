import type { TUser } from '@/lib/auth/roles';
import { Badge } from '@/components/ui/badge';
import { NavLink } from '@/components/shell/nav-link';
import { SignOutButton } from '@/components/shell/sign-out-button';

/** Who is signed in, with their account page and sign-out. */
export function UserMenu({ user }: { user: TUser }) {
  return (
    <section aria-label="Signed-in user" className="space-y-2 border-t border-gray-200 pt-4">
      <div className="flex items-center justify-between gap-2 px-3">
        <span className="truncate text-sm font-semibold text-gray-900" title={user.name}>
          {user.name}
        </span>
        <Badge>{user.role}</Badge>
      </div>
      <NavLink href="/account">Account</NavLink>
      <div className="px-3">
        <SignOutButton />
      </div>
    </section>
  );
}
