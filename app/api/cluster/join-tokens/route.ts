// POST /api/cluster/join-tokens — a one-time join token (admin), shown once with the certificate fingerprint
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { createJoinToken } from '@/lib/join/join-tokens';
import { ZJoinTokenCreate } from '@/lib/join/schemas';

export const POST = withApi({ role: 'admin', body: ZJoinTokenCreate, status: 201 }, ({ body, user }) =>
  createJoinToken(db(), user.name, body.ttlMinutes),
);
