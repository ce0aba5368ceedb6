import { describe, expect, it } from 'vitest';
import { histogramQuantile } from '@/lib/database/heartbeat-latency';

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.001, count: 0 },
    { le: 0.005, count: 50 },
    { le: 0.01, count: 90 },
    { le: 0.1, count: 100 },
    { le: Number.POSITIVE_INFINITY, count: 100 },
  ];

  it('interpolates inside the bucket that holds the rank, as Prometheus does', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.005);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.0075);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.091);
  });

  it('says nothing without samples, and the top bound when the rank is in +Inf', () => {
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: Number.POSITIVE_INFINITY, count: 0 },
      ]),
    ).toBeNull();
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Number.POSITIVE_INFINITY, count: 10 },
      ]),
    ).toBe(1);
  });
});
