/**
 * The system log: this node's local log file, `<dataDir>/logs/system.log`, one JSON object per
 * line ({ time, level, runId, message }). It is the node's own record, shown on that node's Logs
 * page only (the server log, in the database, is the cluster's).
 */
import path from 'node:path';
import { isLogLevelEnabled } from '@/lib/node/log';
import { appendRotating } from '@/lib/node/rotating-file';

export const SYSTEM_LOG_FILE = path.join('logs', 'system.log');

export type TSystemLogLine = { time: string; level: string; runId: string | null; message: string };

export function systemLogPath(dataDir: string): string {
  return path.join(dataDir, SYSTEM_LOG_FILE);
}

export async function appendSystemLog(dataDir: string, line: Omit<TSystemLogLine, 'time'>): Promise<void> {
  // below the logLevel server setting: not written (the setting applies at once)
  if (!isLogLevelEnabled(line.level)) return;
  // rotated by size (lib/node/rotating-file.ts), so it never fills the disk
  await appendRotating(systemLogPath(dataDir), `${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}
