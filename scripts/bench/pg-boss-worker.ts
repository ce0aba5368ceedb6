/**
 * A pg-boss worker process for the workflow benchmark's peer comparison: it takes jobs from one
 * queue and never finishes them (a long job), printing one JSON line per job it starts, so that
 * the benchmark can kill it with kill -9 and time how long pg-boss takes to run the job again.
 *   DATABASE_URL=… node --import tsx scripts/bench/pg-boss-worker.ts QUEUE
 */
import { PgBoss } from 'pg-boss';
import { databaseUrlEnv } from '@/lib/env';

// the connection string holds a password: it comes in the environment, never the arguments
const connectionString = databaseUrlEnv();
const [queue] = process.argv.slice(2);
const boss = new PgBoss({ connectionString, superviseIntervalSeconds: 1, monitorIntervalSeconds: 1, max: 3 });
boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
await boss.start();
await boss.work(queue, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
  process.stdout.write(`${JSON.stringify({ started: job.id, pid: process.pid })}\n`);
  await new Promise(() => {}); // a job that outlives its worker
});
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
