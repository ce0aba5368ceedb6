/** This node as a seed: what it tells joiners about itself, and how a request reached it. */
import type { NextRequest } from 'next/server';
import { CLIENT_ADDRESS_HEADER, CONNECTION_HEADER, PROTOCOL_HEADER } from '@/lib/auth/client-address';
import { serverEnv } from '@/lib/env';
import { nodeRuntime } from '@/lib/node/runtime';
import type { TSeed } from '@/lib/join/issue-join-bundle';

export function seedOf(): TSeed {
  const runtime = nodeRuntime();
  return {
    nodeId: runtime.identity.id,
    standalone: runtime.standalone,
    version: runtime.version,
    databaseUrl: serverEnv().DATABASE_URL,
    dataDir: runtime.dataDir,
  };
}

export function transportOf(req: NextRequest): { secure: boolean; loopback: boolean; clientAddress: string } {
  // the headers are written by the node's front door (lib/tls/listener.ts), never taken from the client
  return {
    secure: req.headers.get(PROTOCOL_HEADER) === 'https',
    // a direct connection from this machine; never one that came through a proxy
    loopback: req.headers.get(CONNECTION_HEADER) === 'loopback',
    clientAddress: req.headers.get(CLIENT_ADDRESS_HEADER) ?? '',
  };
}
