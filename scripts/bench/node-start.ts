/**
 * Node start-up on a shared database, as the tests start their nodes: `orchctl node start` with a
 * fresh data directory until /api/health answers, and the CPU time its processes used by then
 * (launcher, server, and the children they waited for). Compiled (.compiled/) and from the
 * sources through tsx (ORCH_COMPILED=0), one after the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentCompiled } from '@/bin/compiled.mjs';
import { findFreePort } from '@/lib/node/ports';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { BenchNode } from './bench-node';
import { startClusterDatabase } from './cluster-database';
import { onInterrupt } from './interrupt';

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds of every process in the group, with those of the children each of them waited for. */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the fields after the command name, which is in parentheses and may hold spaces
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      // utime, stime, cutime, cstime
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startOnce(databaseUrl: string, index: number, compiled: boolean): Promise<{ seconds: number; cpu: number }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-start-'));
  const node = new BenchNode({
    port: await findFreePort(),
    dataDir,
    rootPassword: 'bench-root-password',
    databaseUrl,
    name: `start-${index}`,
    env: compiled ? {} : { ORCH_COMPILED: '0' },
  });
  try {
    const startedAt = performance.now();
    node.start();
    await node.waitForHealth(() => true, 'answering /api/health');
    const seconds = (performance.now() - startedAt) / 1000;
    return { seconds, cpu: groupCpuSeconds(node.pid()!) };
  } finally {
    await node.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runNodeStartBench(options: { starts: number }): Promise<void> {
  console.log(`== node start-up on a shared database: median of ${options.starts} starts, fresh data directories ==`);
  if (!currentCompiled(PROJECT_ROOT, 'node-server')) console.log('  (no current compiled files: both rows run the sources)');
  const database = await startClusterDatabase({ heartbeatIntervalMs: 1_000, failoverHeartbeats: 3 });
  const forget = onInterrupt(() => database.stop());
  try {
    let index = 0;
    for (const compiled of [true, false]) {
      const runs: { seconds: number; cpu: number }[] = [];
      for (let i = 0; i < options.starts; i += 1) runs.push(await startOnce(database.url, (index += 1), compiled));
      const label = compiled ? 'compiled (.compiled/)' : 'from the sources (tsx)';
      console.log(
        `  ${label.padEnd(24)} ready in ${median(runs.map((run) => run.seconds)).toFixed(2)} s, ` +
          `${median(runs.map((run) => run.cpu)).toFixed(2)} CPU-s (load average ${os.loadavg()[0].toFixed(2)})`,
      );
    }
  } finally {
    forget();
    await database.stop();
  }
}
