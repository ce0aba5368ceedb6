/**
 * The Prisma client. One per process (guarded on globalThis so that the server entry and the
 * bundled route handlers share it), created lazily, server-only.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { serverEnv } from '@/lib/env';
import { APP_SESSION_LIMITS, limitedPoolConfig } from '@/lib/cluster/session-limits';
import { createPrimaryPool } from '@/lib/db/primary';

export type TDb = PrismaClient;
export type TTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

const KEY = Symbol.for('orch.db');
type TGlobal = typeof globalThis & { [KEY]?: PrismaClient };

export function createDb(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  // a database that stops answering (frozen, cut off) fails requests after 10 s instead of hanging them;
  // the server-side limits end a session whose client froze or vanished (lib/cluster/session-limits.ts);
  // the pool follows the writable primary of a multi-host URL (lib/db/primary.ts)
  const { pool } = createPrimaryPool(databaseUrl, {
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
    ...limitedPoolConfig(APP_SESSION_LIMITS),
  });
  // a connection that breaks while idle (the primary died) must not crash the process
  pool.on('error', () => {});
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

export function db(): PrismaClient {
  const store = globalThis as TGlobal;
  store[KEY] ??= createDb(serverEnv().DATABASE_URL);
  return store[KEY];
}
