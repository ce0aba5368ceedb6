// POST /api/cluster/join-bundle — the seed's side of a join: checks credentials or a token, returns the bundle
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { issueJoinBundle } from '@/lib/join/issue-join-bundle';
import { ZJoinBundleRequest } from '@/lib/join/schemas';
import { seedOf, transportOf } from '@/lib/join/seed';

export const POST = withApi({ role: 'public', body: ZJoinBundleRequest }, ({ req, body }) =>
  issueJoinBundle(db(), seedOf(), body, transportOf(req)),
);
