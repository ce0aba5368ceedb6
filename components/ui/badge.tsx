import type { ReactNode } from 'react';

export type TTone = 'green' | 'blue' | 'amber' | 'red' | 'gray';

const TONES: Record<TTone, string> = {
  green: 'bg-green-50 text-green-800 ring-green-600/30',
  blue: 'bg-blue-50 text-blue-800 ring-blue-600/30',
  amber: 'bg-amber-50 text-amber-900 ring-amber-600/30',
  red: 'bg-red-50 text-red-800 ring-red-600/30',
  gray: 'bg-gray-100 text-gray-700 ring-gray-500/30',
};

export function Badge({ tone = 'gray', children }: { tone?: TTone; children: ReactNode }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold tracking-wide ring-1 ring-inset ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}
