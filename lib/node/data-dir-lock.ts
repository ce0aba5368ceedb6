/**
 * One launcher per data directory. A second `node start` on the same directory would run with
 * the same node id and stop the first one's built-in database, so it is refused.
 *
 * The lock is run/supervisor.pid: the launcher's pid and its start time (from /proc), created
 * with link(2), which fails when the file exists. A file whose process is gone, or whose pid now
 * belongs to a process that started at another time, is left over from a launcher that was
 * killed (kill -9 skips every clean-up) and is taken over: the lock cannot go stale.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/api/app-error';
import { isProcessAlive } from '@/lib/node/process-alive';

export const LOCK_FILE = path.join('run', 'supervisor.pid');

type TLockOwner = { pid: number; startTime?: string };

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot; undefined off Linux or when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count from after it
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): TLockOwner | undefined {
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, startTime: startLine?.trim() || undefined };
}

/** Whether the recorded launcher is still running: the same pid, started at the same moment. */
function isOwnerRunning(owner: TLockOwner): boolean {
  if (owner.pid === process.pid) return false; // our own leftover: a pid is not reused while we live
  if (!isProcessAlive(owner.pid)) return false;
  const now = processStartTime(owner.pid);
  return owner.startTime === undefined || now === undefined || now === owner.startTime;
}

export type TDataDirLock = { release(): Promise<void> };

/** Takes the data directory for this process, or throws CONFLICT naming the other launcher. */
export async function lockDataDir(dataDir: string): Promise<TDataDirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const content = `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`;
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await link(temporary, file); // atomic: exactly one of two launchers starting at once gets it
        return { release: () => rm(file, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await readFile(file, 'utf8').catch(() => '');
      const owner = parseOwner(existing);
      if (owner && isOwnerRunning(owner)) {
        throw new AppError('CONFLICT', `a node is already running on data directory ${dataDir} (pid ${owner.pid})`, {
          field: 'data-dir',
        });
      }
      // left behind by a launcher that is gone; removed only if it is still the file just read
      if ((await readFile(file, 'utf8').catch(() => undefined)) === existing) await rm(file, { force: true });
    }
    throw new AppError('CONFLICT', `cannot take data directory ${dataDir}: another node keeps starting on it`, {
      field: 'data-dir',
    });
  } finally {
    await rm(temporary, { force: true });
  }
}
