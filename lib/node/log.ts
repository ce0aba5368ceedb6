/**
 * The process log. In a node server it is pino: one JSON object per line on stdout
 * ({ time, level, node, scope, msg, err }), or the same records as text lines for the demo
 * (`ORCH_LOG_FORMAT=text`). Elsewhere (the CLI, the supervisor) it is plain text lines.
 *
 * Never pass secrets here: error messages are logged, request bodies and headers are not. As a
 * second line of defence, credentials in URLs (postgresql://user:password@…) and fields named like
 * secrets are redacted before a line is written.
 *
 * The level follows the `logLevel` server setting at once (setLogLevel); the logger lives
 * on globalThis so the server entry and the bundled route handlers share it.
 */
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type TLogLevel = (typeof LOG_LEVELS)[number];

const KEY = Symbol.for('orch.process-log');
const LEVEL_KEY = Symbol.for('orch.log-level');
type TGlobal = typeof globalThis & { [KEY]?: Logger; [LEVEL_KEY]?: TLogLevel };

const REDACTED_FIELDS = [
  'secret',
  'password',
  'smtpPassword',
  'token',
  'authorization',
  'databaseUrl',
  'DATABASE_URL',
  '*.secret',
  '*.password',
  '*.token',
  '*.authorization',
];

/** user:password@ in any URL becomes user:[redacted]@ */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, '$1[redacted]@');
}

function textLine(record: Record<string, unknown>): string {
  const error = record.err as { stack?: string; message?: string } | undefined;
  const detail = error ? `: ${error.stack ?? error.message}` : '';
  return `${String(record.time)} ${String(record.level).padEnd(5)} [${String(record.scope ?? '-')}] ${String(record.msg ?? '')}${detail}\n`;
}

/** Switches this process to pino (a node server), with the node's name on every line. */
export function configureProcessLog(options: { node: string; format: 'json' | 'text' }): void {
  const destination =
    options.format === 'json'
      ? pino.destination({ fd: 1, sync: true })
      : { write: (line: string) => void process.stdout.write(textLine(JSON.parse(line) as Record<string, unknown>)) };
  (globalThis as TGlobal)[KEY] = pino(
    {
      level: (globalThis as TGlobal)[LEVEL_KEY] ?? 'info',
      base: { node: options.node, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
      serializers: { err: (error: unknown) => serializeError(error) },
    },
    destination,
  );
}

/** The `logLevel` server setting, applied at once to the process log and the system log. */
export function setLogLevel(level: TLogLevel): void {
  const store = globalThis as TGlobal;
  store[LEVEL_KEY] = level;
  const logger = store[KEY];
  if (logger && logger.level !== level) logger.level = level;
}

/** Whether a line of this level is written now (unknown levels are). */
export function isLogLevelEnabled(level: string): boolean {
  const threshold = LOG_LEVELS.indexOf((globalThis as TGlobal)[LEVEL_KEY] ?? 'info');
  const index = LOG_LEVELS.indexOf(level as TLogLevel);
  return index < 0 || index >= threshold;
}

function serializeError(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error)
    return { type: error.name, message: redactText(error.message), stack: error.stack ? redactText(error.stack) : undefined };
  return { type: typeof error, message: redactText(String(error)) };
}

function write(level: TLogLevel, scope: string, message: string, error?: unknown): void {
  const logger = (globalThis as TGlobal)[KEY];
  const text = redactText(message);
  if (logger) {
    if (error === undefined) logger[level]({ scope }, text);
    else logger[level]({ scope, err: error }, text);
    return;
  }
  const detail =
    error instanceof Error ? `: ${redactText(error.stack ?? error.message)}` : error ? `: ${redactText(String(error))}` : '';
  const line = `${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${text}${detail}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export function logDebug(scope: string, message: string): void {
  write('debug', scope, message);
}

export function logInfo(scope: string, message: string): void {
  write('info', scope, message);
}

export function logWarn(scope: string, message: string): void {
  write('warn', scope, message);
}

export function logError(scope: string, message: string, error?: unknown): void {
  write('error', scope, message, error);
}
