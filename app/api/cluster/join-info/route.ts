// GET /api/cluster/join-info — public: cluster id and name, certificate fingerprint, version (no secrets)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { readJoinInfo } from '@/lib/join/issue-join-bundle';
import { seedOf } from '@/lib/join/seed';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'public' }, () => readJoinInfo(db(), seedOf()));
