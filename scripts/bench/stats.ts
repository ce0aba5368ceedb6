/** Small statistics and formatting helpers shared by the benchmark parts. */

/** The p-th percentile (0–100) of ascending samples, interpolated between the closest ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export type TSummary = { count: number; p50: number; p95: number; p99: number; max: number };

export function summarize(samples: readonly number[]): TSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export const ms = (value: number, digits = 2) => `${value.toFixed(digits)} ms`;
export const seconds = (valueMs: number) => `${(valueMs / 1000).toFixed(2)} s`;
export const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO');

export const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));
