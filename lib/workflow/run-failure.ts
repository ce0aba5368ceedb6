/**
 * A run's permanent failure: the run ends FAILED with `message` as its reason, and is not taken
 * up again. It is not an AppError on purpose: an AppError is an answer to an HTTP request, and one
 * that escapes from a lookup (a store, a helper shared with the API) says nothing about whether a
 * second try would fail the same way. Anything that is not a RunFailure is handled as transient:
 * the run stays where it was checkpointed and is taken up again, at most MAX_ELEMENT_RETRIES
 * times (lib/workflow/limits.ts).
 */
export class RunFailure extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RunFailure';
  }
}

/** The runner's one decision about an error out of a run: does it fail the run for good? */
export function failsTheRun(error: unknown): error is RunFailure {
  return error instanceof RunFailure;
}
