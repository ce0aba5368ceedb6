import type { ReactNode } from 'react';

/** An error the user must see: announced at once by screen readers. */
export function Alert({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3.5 py-2.5 text-sm text-red-800">
      {title && <p className="font-semibold">{title}</p>}
      <p>{children}</p>
    </div>
  );
}

/** A success or information message, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="rounded-md border border-green-200 bg-green-50 px-3.5 py-2.5 text-sm text-green-800">
      {children}
    </div>
  );
}
