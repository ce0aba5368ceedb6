/**
 * CPU time of one PostgreSQL server, from /proc (Linux): the postmaster and all its children
 * (backends, background workers). Children that ended during a measurement are not lost: once
 * reaped, their time is in the postmaster's cutime/cstime, which is counted too.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type TCpuSample = { ticks: number; processes: number; atMs: number };

let ticksPerSecond: number | undefined;

export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is field 3. */
function readStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // ended meanwhile
  }
}

// man 5 proc: field 4 ppid, 14 utime, 15 stime, 16 cutime, 17 cstime (clock ticks)
const PPID = 4 - 3;
const UTIME = 14 - 3;
const STIME = 15 - 3;
const CUTIME = 16 - 3;
const CSTIME = 17 - 3;

export function samplePostgresCpu(postmasterPid: number): TCpuSample {
  const postmaster = readStat(postmasterPid);
  if (!postmaster) throw new Error(`no PostgreSQL process ${postmasterPid}`);
  let ticks = [UTIME, STIME, CUTIME, CSTIME].reduce((sum, field) => sum + Number(postmaster[field]), 0);
  let processes = 1;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = readStat(Number(entry));
    if (!fields || Number(fields[PPID]) !== postmasterPid) continue;
    ticks += Number(fields[UTIME]) + Number(fields[STIME]);
    processes += 1;
  }
  return { ticks, processes, atMs: performance.now() };
}

/** CPU seconds between two samples, and the average number of cores that is. */
export function cpuBetween(from: TCpuSample, to: TCpuSample): { cpuSeconds: number; wallSeconds: number; cores: number } {
  const cpuSeconds = (to.ticks - from.ticks) / clockTicksPerSecond();
  const wallSeconds = (to.atMs - from.atMs) / 1000;
  return { cpuSeconds, wallSeconds, cores: cpuSeconds / wallSeconds };
}

/** CPU seconds so far of each given process (PostgreSQL backends, found in pg_stat_activity); one that ended is left out. */
export function sampleProcessesCpu(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const fields = readStat(pid);
    if (fields) seconds.set(pid, (Number(fields[UTIME]) + Number(fields[STIME])) / clockTicksPerSecond());
  }
  return seconds;
}
