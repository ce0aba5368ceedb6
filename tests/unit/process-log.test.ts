/** The process log's formats: JSON lines for collectors, text for the demo; secrets redacted in both. */
import { afterEach, describe, expect, it } from 'vitest';
import { configureProcessLog, logDebug, logError, logInfo, setLogLevel } from '@/lib/node/log';

const KEY = Symbol.for('orch.process-log');

function capture(work: () => void): string {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    work();
  } finally {
    process.stdout.write = original;
  }
  return chunks.join('');
}

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KEY];
  setLogLevel('info');
});

describe('process log', () => {
  it('prints text lines for the demo, with level, scope and a redacted error', () => {
    configureProcessLog({ node: 'n1', format: 'text' });
    const text = capture(() => {
      logInfo('agent', 'registered');
      logError(
        'server',
        'cannot connect to postgresql://orch:hunter2-secret@db:5432/orch',
        new Error('refused by postgresql://orch:hunter2-secret@db/orch'),
      );
      logDebug('api', 'hidden at info');
    });
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info  \[agent\] registered$/);
    expect(lines[1]).toMatch(
      / error \[server\] cannot connect to postgresql:\/\/orch:\[redacted\]@db:5432\/orch: Error: refused by postgresql:\/\/orch:\[redacted\]@db\/orch/,
    );
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('hidden at info');
    setLogLevel('debug');
    expect(capture(() => logDebug('api', 'shown at debug'))).toContain('debug [api] shown at debug');
  });
});
