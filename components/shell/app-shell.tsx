import Image from 'next/image';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { TUser } from '@/lib/auth/roles';
import { MainNav } from '@/components/shell/main-nav';
import { UserMenu } from '@/components/shell/user-menu';

/** The console frame: navigation and the signed-in user on the left, the page on the right. */
export function AppShell({ user, children }: { user: TUser; children: ReactNode }) {
  return (
    <div className="flex min-h-screen">
      <a
        href="#content"
        className="sr-only rounded-md bg-white px-3 py-2 text-sm focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10"
      >
        Skip to content
      </a>
      <aside className="sticky top-0 flex h-screen w-56 shrink-0 flex-col gap-6 border-r border-gray-200 bg-white px-3 py-5">
        <Link href="/cluster" className="flex items-center gap-2 rounded-md px-3">
          <Image src="/icon.svg" alt="" width={28} height={28} unoptimized priority />
          <span className="text-sm leading-tight font-semibold text-gray-900">Orchestrator Control Center</span>
        </Link>
        <div className="flex-1">
          <MainNav />
        </div>
        <UserMenu user={user} />
      </aside>
      <main id="content" className="min-w-0 flex-1 px-8 py-8">
        <div className="mx-auto max-w-5xl">{children}</div>
      </main>
    </div>
  );
}
