// GET /api/metrics — Prometheus text format (any signed-in user; scrape with an API token as bearer token)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { renderMetrics } from '@/lib/metrics/cluster-metrics';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer' }, async () => {
  const { contentType, text } = await renderMetrics(db());
  return new Response(text, { headers: { 'content-type': contentType } });
});
