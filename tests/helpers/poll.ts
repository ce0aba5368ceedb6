/** Waits for a condition with a deadline, instead of sleeping and hoping. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  throw new Error(
    `timed out waiting for ${options.what ?? 'a condition'}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

/** Checks that a condition holds the whole time, sampling it for `durationMs` (for "never" claims). */
export async function holdsFor(
  check: () => Promise<boolean> | boolean,
  durationMs: number,
  what: string,
  intervalMs = 100,
): Promise<void> {
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    if (!(await check())) throw new Error(`expected ${what} to hold for ${durationMs} ms, but it did not`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
