/**
 * What fails a run for good (lib/workflow/run-failure.ts): only a RunFailure, such as an element's
 * failure or a plugin action's. An AppError, the HTTP error type, escaping from a lookup is not a
 * verdict on the run: the runner takes the run up again, within the bounded retries.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/api/app-error';
import { ElementError, planElement, runElement, type TElementContext } from '@/lib/workflow/run-element';
import { failsTheRun, RunFailure } from '@/lib/workflow/run-failure';
import type { TPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import type { TElement } from '@/lib/workflow/schemas';

function contextFor(element: TElement, changes: Partial<TElementContext> = {}): TElementContext {
  return {
    runId: 'run-1',
    dataDir: '/nonexistent',
    variables: { n: 1 },
    plan: planElement(element, { n: 1 }),
    wakeInMs: null,
    signal: new AbortController().signal,
    plugins: { call: () => Promise.reject(new Error('no plugins')), errors: [], close: () => {} } satisfies TPluginSandbox,
    isActive: () => true,
    lock: () => Promise.resolve('held'),
    lockRetryMs: 1,
    ...changes,
  };
}

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('what fails a run for good', () => {
  it('is a RunFailure, and an element failure is one', () => {
    expect(failsTheRun(new RunFailure('workflow "w" version 3 does not exist'))).toBe(true);
    expect(failsTheRun(new ElementError({ id: 'end', type: 'end' }, 'broken'))).toBe(true);
  });

  it('is not an AppError, nor any other error', () => {
    expect(failsTheRun(new AppError('NOT_FOUND', 'no run has the id x'))).toBe(false);
    expect(failsTheRun(new AppError('VALIDATION', 'field "x": bad'))).toBe(false);
    expect(failsTheRun(new Error('connection terminated unexpectedly'))).toBe(false);
  });

  it('fails the run when a decision gives no boolean, naming the element', async () => {
    const element: TElement = { id: 'choose', type: 'decision', condition: 'n + 1', then: 'a', else: 'b' };
    const error = await rejectionOf(runElement(element, contextFor(element)));
    expect(failsTheRun(error)).toBe(true);
    expect((error as Error).message).toBe('element "choose": the condition gives a number, not a boolean');
  });

  it('fails the run when a plugin action fails, whatever error the sandbox gave', async () => {
    const element: TElement = { id: 'call', type: 'action', plugin: 'p', action: 'a', inputs: {} } as TElement;
    const plugins: TPluginSandbox = {
      call: () => Promise.reject(new AppError('BAD_REQUEST', 'p.a failed: boom')),
      errors: [],
      close: () => {},
    };
    const error = await rejectionOf(runElement(element, contextFor(element, { plugins })));
    expect(failsTheRun(error)).toBe(true);
    expect((error as Error).message).toBe('element "call": p.a failed: boom');
  });

  it('does not fail the run when a lookup outside the element throws an AppError: the run is taken up again', async () => {
    const element: TElement = { id: 'take', type: 'lock', resource: 'disk' };
    const lookup = new AppError('NOT_FOUND', 'no run has the id run-1');
    const error = await rejectionOf(runElement(element, contextFor(element, { lock: () => Promise.reject(lookup) })));
    expect(error).toBe(lookup);
    expect(failsTheRun(error)).toBe(false);
  });
});
