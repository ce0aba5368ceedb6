'use client';

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp in the reader's locale; `fallback` when there is none (e.g. "never"). */
export function DateTime({ value, fallback = '—' }: { value: string | null; fallback?: string }) {
  if (!value) return <span className="text-gray-500">{fallback}</span>;
  return (
    <time dateTime={value} title={value} suppressHydrationWarning>
      {FORMAT.format(new Date(value))}
    </time>
  );
}
