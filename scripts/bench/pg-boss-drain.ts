/**
 * A pg-boss worker process for the throughput benchmark: as many workers as the benchmark's
 * concurrency, each taking trivial jobs in batches of that size and completing them together
 * (pg-boss 10 has no team size: one work() call per worker), polling at its shortest interval.
 * Prints one JSON line when ready.
 *   DATABASE_URL=… node --import tsx scripts/bench/pg-boss-drain.ts QUEUE CONCURRENCY
 */
import PgBoss from 'pg-boss';
import { databaseUrlEnv } from '@/lib/env';

// the connection string holds a password: it comes in the environment, never the arguments
const connectionString = databaseUrlEnv();
const [queue, concurrency] = process.argv.slice(2);
const boss = new PgBoss({ connectionString, max: Number(concurrency) + 2 });
boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
await boss.start();
for (let i = 0; i < Number(concurrency); i += 1) {
  await boss.work(queue, { pollingIntervalSeconds: 0.5, batchSize: Number(concurrency) }, async () => {});
}
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
process.once('SIGTERM', () => void boss.stop({ graceful: false, timeout: 1_000 }).finally(() => process.exit(0)));
