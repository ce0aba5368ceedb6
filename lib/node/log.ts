/**
 * The node's own log lines (stdout/stderr, captured by the supervisor). Never pass secrets here:
 * error messages are logged, request bodies and headers are not.
 */
export function logInfo(scope: string, message: string): void {
  console.log(`${new Date().toISOString()} info  [${scope}] ${message}`);
}

export function logWarn(scope: string, message: string): void {
  console.warn(`${new Date().toISOString()} warn  [${scope}] ${message}`);
}

export function logError(scope: string, message: string, error?: unknown): void {
  const detail = error instanceof Error ? `: ${error.stack ?? error.message}` : error ? `: ${String(error)}` : '';
  console.error(`${new Date().toISOString()} error [${scope}] ${message}${detail}`);
}
