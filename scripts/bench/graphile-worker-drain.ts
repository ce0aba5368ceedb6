/**
 * A graphile-worker process for the throughput benchmark: a tuned worker (local queue, batched
 * completion) with one trivial task, at the concurrency the benchmark gives. It prints one JSON
 * line when it is ready; the benchmark then adds the jobs and counts what is left in the table.
 *   DATABASE_URL=… node --import tsx scripts/bench/graphile-worker-drain.ts CONCURRENCY
 */
import { run } from 'graphile-worker';
import { databaseUrlEnv } from '@/lib/env';

// the connection string holds a password: it comes in the environment, never the arguments
const connectionString = databaseUrlEnv();
const concurrency = Number(process.argv[2]);
const runner = await run({
  connectionString,
  concurrency,
  noHandleSignals: true,
  pollInterval: 1_000,
  taskList: { trivial: async () => {} },
  preset: {
    worker: {
      // fetch a batch and hand it out locally; complete jobs in batches (the tuning the
      // project's own release notes recommend for many small jobs)
      localQueue: { size: concurrency + 1 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
process.once('SIGTERM', () => void runner.stop().finally(() => process.exit(0)));
await runner.promise;
