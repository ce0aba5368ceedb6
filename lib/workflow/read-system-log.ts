/** The end of this node's system log, newest last, for GET /api/logs/system. */
import { open } from 'node:fs/promises';
import { systemLogPath, type TSystemLogLine } from '@/lib/workflow/system-log';
import type { TSystemLogQuery } from '@/lib/workflow/schemas';

/** Enough for the last few thousand lines without reading a large file whole. */
const TAIL_BYTES = 1024 * 1024;

export type TSystemLogView = { file: string; lines: TSystemLogLine[] };

export async function readSystemLog(dataDir: string, query: TSystemLogQuery): Promise<TSystemLogView> {
  const file = systemLogPath(dataDir);
  let text = '';
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
      // a tail that starts mid-line drops that partial line
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const lines = text
    .split('\n')
    .filter(Boolean)
    .slice(-query.lines)
    .map((line) => {
      try {
        return JSON.parse(line) as TSystemLogLine;
      } catch {
        return { time: '', level: 'info', runId: null, message: line };
      }
    });
  return { file: 'logs/system.log', lines };
}
