import type { ReactNode } from 'react';
import { PageHeader } from '@/components/shell/page-header';

/** A section whose feature has not landed yet: its title and what it will hold. */
export function ComingSoon({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <p className="rounded-lg border border-dashed border-gray-300 bg-white p-6 text-sm text-gray-600">{children}</p>
    </>
  );
}
