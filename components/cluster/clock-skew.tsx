import { CLOCK_SKEW_WARNING_MS } from '@/lib/cluster/alarms';

/** A node's clock against the database clock; beyond 1 s it is flagged (liveness never depends on it). */
export function ClockSkew({ ms }: { ms: number | null }) {
  if (ms === null) return <span className="text-gray-500">—</span>;
  if (Math.abs(ms) <= CLOCK_SKEW_WARNING_MS) return <span className="tabular-nums">{ms} ms</span>;
  return (
    <span
      title={`This node's clock is ${(ms / 1000).toFixed(1)} s off the database clock (more than 1 s): keep NTP running.`}
      className="inline-flex items-center gap-1 rounded bg-amber-100 px-1.5 font-semibold text-amber-900 tabular-nums"
    >
      <span aria-hidden="true">⚠</span>
      {ms} ms
    </span>
  );
}
