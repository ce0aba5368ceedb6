// GET /api/metrics — Prometheus text format: the metrics token (DATA_DIR/metrics-token, works while
// the database is down), or any signed-in user or API token
import { withApi } from '@/lib/api/with-api';
import { serveMetrics } from '@/lib/metrics/serve-metrics';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'public' }, ({ req }) => serveMetrics(req));
