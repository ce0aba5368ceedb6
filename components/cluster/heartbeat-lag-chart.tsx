import { LATE_AFTER_INTERVALS } from '@/lib/cluster/settings';

const WIDTH = 640;
const HEIGHT = 160;
const PAD = { left: 48, right: 12, top: 10, bottom: 22 };

type TProps = {
  /** database time between the node's recent heartbeats, newest last */
  gapsMs: number[];
  intervalMs: number;
};

export function summarizeGaps(gapsMs: number[]): { min: number; avg: number; max: number } | null {
  if (gapsMs.length === 0) return null;
  const sum = gapsMs.reduce((total, gap) => total + gap, 0);
  return { min: Math.min(...gapsMs), avg: sum / gapsMs.length, max: Math.max(...gapsMs) };
}

const ms = (value: number) => `${Math.round(value)} ms`;

/** The gaps between heartbeats as a line, with the interval dashed: a gap well above the line was a late heartbeat. */
export function HeartbeatLagChart({ gapsMs, intervalMs }: TProps) {
  const summary = summarizeGaps(gapsMs);
  if (!summary) return <p className="flex h-40 items-center text-sm text-gray-500">No heartbeat gaps recorded yet.</p>;

  const top = Math.max(summary.max, intervalMs * LATE_AFTER_INTERVALS) * 1.1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (gapsMs.length === 1 ? plotWidth : (index / (gapsMs.length - 1)) * plotWidth);
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  const points = gapsMs.map((gap, index) => `${x(index).toFixed(1)},${y(gap).toFixed(1)}`).join(' ');
  const lateAfter = intervalMs * LATE_AFTER_INTERVALS;
  const label = `Heartbeat lag over the last ${gapsMs.length} heartbeats: min ${ms(summary.min)}, avg ${ms(summary.avg)}, max ${ms(summary.max)} (interval ${ms(intervalMs)})`;

  return (
    <figure className="space-y-2">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} className="h-auto w-full max-w-3xl">
        <title>Heartbeat lag</title>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="stroke-gray-300" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={y(0)} className="stroke-gray-300" />
        <text x={PAD.left - 6} y={y(0)} textAnchor="end" dominantBaseline="middle" className="fill-gray-500 text-[10px]">
          0
        </text>
        <text x={PAD.left - 6} y={PAD.top} textAnchor="end" dominantBaseline="hanging" className="fill-gray-500 text-[10px]">
          {ms(top)}
        </text>
        <line
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={y(intervalMs)}
          y2={y(intervalMs)}
          strokeDasharray="5 4"
          className="stroke-gray-500"
        />
        <text x={WIDTH - PAD.right} y={y(intervalMs) - 4} textAnchor="end" className="fill-gray-600 text-[10px]">
          interval {ms(intervalMs)}
        </text>
        <polyline points={points} fill="none" strokeWidth={1.5} strokeLinejoin="round" className="stroke-indigo-600" />
        {gapsMs.map((gap, index) =>
          gap > lateAfter ? <circle key={index} cx={x(index)} cy={y(gap)} r={3} className="fill-red-600" /> : null,
        )}
        <text x={PAD.left} y={HEIGHT - 6} className="fill-gray-500 text-[10px]">
          oldest
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end" className="fill-gray-500 text-[10px]">
          newest
        </text>
      </svg>
      <figcaption className="text-sm text-gray-600 tabular-nums">
        min {ms(summary.min)} · avg {ms(summary.avg)} · max {ms(summary.max)} · red dots: late heartbeats
      </figcaption>
    </figure>
  );
}
