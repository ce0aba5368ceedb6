import type { ReactNode } from 'react';

/** One labelled fact of a <dl>, keeping its line height so nothing jumps on refresh. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</dt>
      <dd className="mt-1 min-h-6 text-sm text-gray-900 tabular-nums">{children}</dd>
    </div>
  );
}
