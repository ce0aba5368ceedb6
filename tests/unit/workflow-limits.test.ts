/**
 * The caps on what a run produces (lib/workflow/limits.ts): strings from expressions, log lines,
 * run inputs, and the element that breaks one failing with a reason naming it and the cap.
 */
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/api/app-error';
import { evaluateText } from '@/lib/workflow/expression/evaluate';
import { logSafe, MAX_LOG_LINE_BYTES, MAX_STRING_BYTES, truncateText } from '@/lib/workflow/limits';
import { planElement, runElement, type TElementContext } from '@/lib/workflow/run-element';
import { isPermanentDatabaseError } from '@/lib/workflow/run-store';
import type { TElement, TWorkflowDefinition } from '@/lib/workflow/schemas';
import { resolveInputs } from '@/lib/workflow/start-run';

const timesS = (count: number) => Array.from({ length: count }, () => 's').join('+'); // 999 of them: 1997 characters, within the 2000 of an expression

function errorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('string values', () => {
  it('refuses a concatenation over 64 KiB before building it, and allows one at the cap', () => {
    const s = 'x'.repeat(100);
    expect(errorOf(() => evaluateText(timesS(999), { s }))).toMatch(
      /^"\+" would make a string of \d+ characters or more; a string value is at most 64 KiB \(65536 bytes\)$/,
    );
    expect((evaluateText('s + s', { s: 'x'.repeat(MAX_STRING_BYTES / 2) }) as string).length).toBe(MAX_STRING_BYTES);
  });

  it('counts UTF-8 bytes: a string of few characters but many bytes is refused', () => {
    const s = 'é'.repeat(20_000); // 40 000 bytes each side
    expect(errorOf(() => evaluateText('s + s', { s }))).toMatch(/would make a string of 80000 bytes/);
  });

  it('fails a set element that breaks the cap, naming the element', async () => {
    const element: TElement = { id: 'grow', type: 'set', variable: 's', expression: timesS(999) };
    const context = { variables: { s: 'x'.repeat(100) }, plan: planElement(element, {}) } as unknown as TElementContext;
    await expect(runElement(element, context)).rejects.toThrow(/^element "grow": "\+" would make a string of/);
  });
});

describe('log lines', () => {
  it('are cut at 8 KiB with a marker saying how long they were', () => {
    const line = truncateText('x'.repeat(60_000));
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(line).toMatch(/^x+ … \[cut: 60000 bytes; at most 8 KiB\]$/);
    expect(truncateText('short')).toBe('short');
  });

  it('are never cut inside a character', () => {
    for (const unit of ['é', '€', '😀']) {
      const line = truncateText(unit.repeat(10_000));
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
      expect(line.replace(/ … \[cut: .*$/, '').replaceAll(unit, '')).toBe('');
    }
  });

  it('a log element plans a cut message, and U+0000 (which PostgreSQL text refuses) is replaced', () => {
    const element: TElement = { id: 'say', type: 'log', target: 'server', level: 'info', message: 's' };
    expect(Buffer.byteLength(planElement(element, { s: 'y'.repeat(65_000) }).message!)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(logSafe('a\u0000b')).toBe('a\uFFFDb');
  });
});

describe('run inputs', () => {
  const definition = {
    name: 'echo',
    description: '',
    inputs: [{ name: 'text', type: 'string' }],
    elements: [{ id: 'end', type: 'end' }],
  } as TWorkflowDefinition;

  it('refuses a string input over 64 KiB, naming the field', () => {
    try {
      resolveInputs(definition, { text: 'y'.repeat(70_000) });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(isAppError(error, 'VALIDATION')).toBe(true);
      expect(error).toMatchObject({
        field: 'inputs.text',
        message: 'inputs.text is 70000 bytes; a string value is at most 64 KiB (65536 bytes)',
      });
    }
    expect(resolveInputs(definition, { text: 'y'.repeat(MAX_STRING_BYTES) }).text).toHaveLength(MAX_STRING_BYTES);
  });

  it('refuses U+0000 in a string input, which the database cannot store', () => {
    expect(errorOf(() => resolveInputs(definition, { text: 'a\u0000b' }))).toBe(
      'inputs.text must not contain the character U+0000',
    );
  });
});

describe('database refusals', () => {
  it('tell a refusal of the data (for good) from a lost connection or a timeout (for now)', () => {
    expect(isPermanentDatabaseError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))).toBe(
      true,
    );
    expect(
      isPermanentDatabaseError(
        Object.assign(new Error('total size of jsonb array elements exceeds the maximum'), { code: '54000' }),
      ),
    ).toBe(true);
    expect(
      isPermanentDatabaseError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })),
    ).toBe(false);
    expect(isPermanentDatabaseError(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isPermanentDatabaseError(new Error('Query read timeout'))).toBe(false);
  });
});
