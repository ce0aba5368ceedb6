/**
 * A cluster's shared database for a benchmark: the embedded PostgreSQL a node would run, in a
 * temporary directory, migrated, with the cluster row created up front so that the benchmark
 * chooses the heartbeat settings (the first node to start keeps what it finds).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureCluster } from '@/lib/cluster/ensure-cluster';
import { createDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { BUILT_IN_DATABASE_NAME, startBuiltInDatabase } from '@/lib/node/built-in-database';
import { onInterrupt } from './interrupt';

export type TClusterDatabase = {
  url: string;
  /** the same server, database `postgres`: measurement queries there do not count against the cluster's database */
  adminUrl: string;
  databaseName: string;
  /** the postmaster's pid, from postmaster.pid in the data directory */
  postmasterPid(): number;
  stop(): Promise<void>;
};

export async function startClusterDatabase(settings: {
  heartbeatIntervalMs: number;
  failoverHeartbeats: number;
}): Promise<TClusterDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-db-'));
  let database: Awaited<ReturnType<typeof startBuiltInDatabase>> | undefined;
  try {
    database = await startBuiltInDatabase({ dataDir });
    await applyMigrations(database.url);
    const db = createDb(database.url, { max: 1 });
    try {
      await ensureCluster(db, { name: 'bench', ...settings });
    } finally {
      await db.$disconnect();
    }
  } catch (error) {
    await database?.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = database;
  const stop = async () => {
    await started.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const forget = onInterrupt(stop);
  const adminUrl = new URL(started.url);
  adminUrl.pathname = '/postgres';
  return {
    url: started.url,
    adminUrl: adminUrl.toString(),
    databaseName: BUILT_IN_DATABASE_NAME,
    postmasterPid: () => Number(readFileSync(path.join(dataDir, 'database', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: async () => {
      forget();
      await stop();
    },
  };
}
