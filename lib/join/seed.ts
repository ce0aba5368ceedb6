/** This node as a seed: what it tells joiners about itself, and how a request reached it. */
import type { NextRequest } from 'next/server';
import { CLIENT_ADDRESS_HEADER, PROTOCOL_HEADER } from '@/lib/auth/client-address';
import { serverEnv } from '@/lib/env';
import { nodeRuntime } from '@/lib/node/runtime';
import type { TSeed } from '@/lib/join/issue-join-bundle';

export function seedOf(): TSeed {
  const runtime = nodeRuntime();
  return { nodeId: runtime.identity.id, standalone: runtime.standalone, version: runtime.version, databaseUrl: serverEnv().DATABASE_URL };
}

export function transportOf(req: NextRequest): { secure: boolean; clientAddress: string } {
  // both headers are written by the node server from the socket itself, never taken from the client
  return { secure: req.headers.get(PROTOCOL_HEADER) === 'https', clientAddress: req.headers.get(CLIENT_ADDRESS_HEADER) ?? '' };
}
