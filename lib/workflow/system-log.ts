/**
 * The system log: this node's local log file, `<dataDir>/logs/system.log`, one JSON object per
 * line ({ time, level, runId, message }). It is the node's own record, shown on that node's Logs
 * page only (the server log, in the database, is the cluster's).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export const SYSTEM_LOG_FILE = path.join('logs', 'system.log');

export type TSystemLogLine = { time: string; level: string; runId: string | null; message: string };

export function systemLogPath(dataDir: string): string {
  return path.join(dataDir, SYSTEM_LOG_FILE);
}

export async function appendSystemLog(dataDir: string, line: Omit<TSystemLogLine, 'time'>): Promise<void> {
  const file = systemLogPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`, { mode: 0o600 });
}
