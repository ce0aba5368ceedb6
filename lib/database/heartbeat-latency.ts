/**
 * Heartbeat round trip from this node, p50 and p99, estimated from the buckets of the metrics
 * registry's heartbeat histogram (the same linear interpolation Prometheus's histogram_quantile
 * does), so the page and /api/metrics agree.
 */
import { metrics } from '@/lib/metrics/registry';

export type THeartbeatLatency = { samples: number; p50Ms: number | null; p99Ms: number | null; source: 'heartbeat histogram' };

type TBucket = { le: number; count: number };

/** The q-quantile of a cumulative histogram; the top bucket's bound when it falls in +Inf. */
export function histogramQuantile(q: number, buckets: TBucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      return inBucket === 0 ? bucket.le : lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

export async function readHeartbeatLatency(): Promise<THeartbeatLatency> {
  const { values } = await metrics().heartbeatSeconds.get();
  const buckets = values
    .filter((value) => value.metricName === 'orch_heartbeat_duration_seconds_bucket')
    .map((value) => ({
      le: value.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(value.labels.le),
      count: value.value,
    }));
  const samples = buckets.find((bucket) => !Number.isFinite(bucket.le))?.count ?? 0;
  const toMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000 * 10) / 10);
  return {
    samples,
    p50Ms: toMs(histogramQuantile(0.5, buckets)),
    p99Ms: toMs(histogramQuantile(0.99, buckets)),
    source: 'heartbeat histogram',
  };
}
