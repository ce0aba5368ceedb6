'use client';

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** An event's moment in the reader's local time, to the second. */
export function EventTime({ value }: { value: string }) {
  return (
    <time dateTime={value} title={value} suppressHydrationWarning className="tabular-nums">
      {FORMAT.format(new Date(value))}
    </time>
  );
}
