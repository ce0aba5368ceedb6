/**
 * GET /api/metrics: the metrics token from the data directory (checked without the database),
 * or else any signed-in user or API token (checked in the database, as every other route).
 */
import type { NextRequest } from 'next/server';
import { AppError } from '@/lib/api/app-error';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import { hasRole } from '@/lib/auth/roles';
import { db } from '@/lib/db/client';
import { renderMetrics } from '@/lib/metrics/cluster-metrics';
import { isMetricsToken } from '@/lib/metrics/metrics-token';
import { nodeRuntime } from '@/lib/node/runtime';

export async function serveMetrics(req: NextRequest): Promise<Response> {
  const bearer = /^bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  const byToken = bearer !== undefined && (await isMetricsToken(nodeRuntime().dataDir, bearer));
  if (!byToken) {
    const user = await authenticateRequest(req);
    if (!user) throw new AppError('UNAUTHENTICATED', 'sign in, or send the metrics token or an API token');
    if (!hasRole(user, 'viewer')) throw new AppError('FORBIDDEN', 'this needs the viewer role');
  }
  const { contentType, text } = await renderMetrics(db());
  return new Response(text, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
