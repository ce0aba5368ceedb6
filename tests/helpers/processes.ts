/** What any local user can see of processes: /proc/PID/cmdline and the parent of each. */
import { readdirSync, readFileSync } from 'node:fs';

/** The pids of every process on the machine. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** A process's arguments, NUL-separated as the kernel gives them; '' when it is gone. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The process and all its descendants. */
export function processTree(rootPid: number): number[] {
  const pids = allPids();
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index += 1) {
    for (const pid of pids) if (parentOf(pid) === tree[index]) tree.push(pid);
  }
  return tree;
}
