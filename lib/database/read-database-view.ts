/** GET /api/database: the facts of the database in use, and how the last use or move ended on this node. */
import { showDatabase, type TDatabaseFacts } from '@/lib/database/show-database';
import { readDatabaseChange, type TDatabaseChange } from '@/lib/node/database-choice';

export type TDatabaseView = TDatabaseFacts & { change: TDatabaseChange | null };

export async function readDatabaseView(options: {
  databaseUrl: string;
  mode: 'builtin' | 'shared';
  dataDir: string;
}): Promise<TDatabaseView> {
  const [facts, change] = await Promise.all([showDatabase(options), readDatabaseChange(options.dataDir)]);
  return { ...facts, change: change ?? null };
}
