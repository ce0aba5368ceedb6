/** Size-rotated log files: bounded on disk, no line split or lost within the kept files. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRotating, appendRotatingSync, rotatedName } from '@/lib/node/rotating-file';
import { appendSystemLog, systemLogPath } from '@/lib/workflow/system-log';
import { isLogLevelEnabled, redactText, setLogLevel } from '@/lib/node/log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'orch-rotate-'));
});
afterEach(async () => {
  setLogLevel('info');
  await rm(dir, { recursive: true, force: true });
});

const line = (index: number) => `${JSON.stringify({ index, pad: 'x'.repeat(80) })}\n`;

describe('appendRotating', () => {
  it('keeps each file under the limit, at most `keep` old files, and whole lines in order', async () => {
    const file = path.join(dir, 'logs', 'system.log');
    const rotation = { maxBytes: 1_000, keep: 3 };
    // concurrent appends, as several runs write at once
    await Promise.all(Array.from({ length: 200 }, (_, index) => appendRotating(file, line(index), rotation)));
    const files = readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['system.log', 'system.log.1', 'system.log.2', 'system.log.3']);
    for (const name of files) expect(statSync(path.join(path.dirname(file), name)).size).toBeLessThanOrEqual(1_000);
    const kept =
      [3, 2, 1].map((index) => readFileSync(rotatedName(file, index), 'utf8')).join('') + (await readFile(file, 'utf8'));
    const indexes = kept
      .trim()
      .split('\n')
      .map((text) => (JSON.parse(text) as { index: number }).index);
    // the newest lines survive, consecutive and in order
    expect(indexes.at(-1)).toBe(199);
    expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, offset) => 200 - indexes.length + offset));
  });

  it('rotates synchronously too (the active-periods log)', () => {
    const file = path.join(dir, 'active-periods.jsonl');
    for (let index = 0; index < 100; index += 1) appendRotatingSync(file, line(index), { maxBytes: 500, keep: 2 });
    expect(existsSync(rotatedName(file, 2))).toBe(true);
    expect(existsSync(rotatedName(file, 3))).toBe(false);
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text).index)
        .at(-1),
    ).toBe(99);
  });
});

describe('log level and redaction', () => {
  it('the system log follows the logLevel setting at once', async () => {
    setLogLevel('warn');
    await appendSystemLog(dir, { level: 'info', runId: null, message: 'quiet' });
    await appendSystemLog(dir, { level: 'error', runId: null, message: 'loud' });
    setLogLevel('debug');
    await appendSystemLog(dir, { level: 'debug', runId: null, message: 'detail' });
    const messages = readFileSync(systemLogPath(dir), 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text).message);
    expect(messages).toEqual(['loud', 'detail']);
    expect(isLogLevelEnabled('info')).toBe(true);
  });

  it('redacts passwords in URLs', () => {
    expect(redactText('connect to postgresql://orch:s3cret-pw@db1:5432,db2:5432/orch failed')).toBe(
      'connect to postgresql://orch:[redacted]@db1:5432,db2:5432/orch failed',
    );
    expect(redactText('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
  });
});
