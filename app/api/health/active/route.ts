// GET /api/health/active — 200 on an active node, 503 otherwise (HA-mode load balancer check)
import { NextResponse } from 'next/server';
import { withApi } from '@/lib/api/with-api';
import { readHealth } from '@/lib/cluster/health';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'public' }, () => {
  const health = readHealth();
  return NextResponse.json(health, { status: health.state === 'ACTIVE' ? 200 : 503 });
});
