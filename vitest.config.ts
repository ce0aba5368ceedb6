import path from 'node:path';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './tests/setup/sequencer.ts';

const alias = { '@': path.resolve(import.meta.dirname) };

/**
 * Integration files whose assertions are about time on a 2-core machine: takeovers within
 * window + interval, gaps in "an ACTIVE node throughout" sampled to the 50 ms, no false failover
 * over a long hold, wall-clock steps, schedule slots to the second, the chaos run. They run after
 * every other file, two at a time among themselves and beside nothing else (project
 * integration-timed): each has its own database, ports, namespaces and folders. Two at a time
 * they passed 4 runs of 4 on a host loaded 2 to 7 by other work, their bounds with room to spare
 * (measured: takeovers 2.1-3.3 s against window + interval + slack = 5.5 s, the oldest bystander
 * heartbeat at most 1.0 s against 3 s, the step-down at most 1.0 s against 2.5 s), and chaos goes
 * on until it has its 4 faults (--min-faults). The 1-second schedule is the exception: beside
 * chaos a slot fired later than the misfire grace, so it starts first, beside database-latency,
 * which outlasts it (the order is tests/setup/sequencer.ts's): 4 runs of 4 passed so.
 * Every other integration file is independent of the others and runs in parallel (project
 * integration), two at a time beside any file.
 * join, notifications, nginx, network-cut, workflow-hostile and cluster-settings-and-removal
 * assert times too (a takeover, a notification's delay, a fence, a heartbeat's age, no
 * NOT_RESPONDING at 0.2 s), but with room to spare: they passed three times out of three two at
 * a time beside the two longest parallel files on a host loaded 6 to 8 (measured), so they run in
 * parallel. `npm test` (scripts/test.mjs) runs the parallel files, then the browser files, then
 * these; one vitest run of several projects runs them in sequence.groupOrder. A file that proves
 * flaky beside another gets a project of its own after this one, one file at a time
 * (fileParallelism: false); it is not retried.
 */
const TIMED_INTEGRATION = [
  'no-stall',
  'slow-node',
  'clock-steps',
  'database-latency',
  'cluster-failover',
  'separate-hosts',
  'workflow-schedules',
  'workflow-failover',
  'chaos',
].map((name) => `tests/integration/${name}.test.ts`);

const realServers = {
  globalSetup: ['tests/setup/build.ts', 'tests/setup/postgres.ts'],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // a page or a node that answers a little late on a busy host is not a failure: expect.poll waits 10 s
  expect: { poll: { timeout: 10_000 } },
};

export default defineConfig({
  resolve: { alias },
  test: {
    // one sequencer for the whole run (Vitest reads it from the root only)
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: TIMED_INTEGRATION,
          ...realServers,
          // real node processes on 2 cores: two files at a time (most of a file's time is spent
          // waiting on heartbeats and processes, not on the CPU)
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration-timed',
          include: TIMED_INTEGRATION,
          ...realServers,
          // two at a time, never beside a file of another project
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          ...realServers,
          // two browsers at a time: each file has its own nodes, database, ports and browser.
          // workflow-failover ran alone for a while (a cancel from its page once did not show
          // CANCELLED within the poll beside another browser file); back here, it passed 3 runs of
          // 3 beside directory-sign-in, configuration-page and oidc-sign-in on a host loaded 4 to 10
          maxWorkers: 2,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
