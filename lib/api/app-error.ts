/**
 * The one error type of the application. `lib/` throws it with a code; only the API wrapper
 * (lib/api/with-api.ts) and the CLI turn the code into an HTTP status or an exit line.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STALE_VERSION: 409,
  LAST_ADMIN: 409,
  TOO_MANY_ATTEMPTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  /** a join the seed or the checks refused: the joining node is unchanged */
  JOIN_REFUSED: 422,
  /** a node this one had to talk to (a join's seed) did not answer */
  SEED_UNREACHABLE: 502,
  /** another member this node asked on the caller's behalf (its system log) did not answer */
  MEMBER_UNREACHABLE: 502,
  /** no server of the configured directory (LDAP) answered, or none could be trusted */
  DIRECTORY_UNREACHABLE: 503,
  DATA_DIR_UNUSABLE: 500,
  PORT_IN_USE: 500,
  DATABASE_UNREACHABLE: 503,
  MIGRATION_FAILED: 500,
  /** a database the node was asked to use or move to failed a check: nothing changed */
  DATABASE_REFUSED: 422,
  /** copying this node's data into the new database failed: the node stays on its database */
  DATABASE_COPY_FAILED: 500,
  INTERNAL: 500,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: TErrorCode;
  /** The input field the error is about, when there is one (e.g. "role" or "settings.port"). */
  readonly field?: string;

  constructor(code: TErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown, code?: TErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
