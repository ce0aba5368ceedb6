/**
 * The browser side of the API: one fetcher for SWR and one `apiSend` for mutations. Both throw
 * `ApiError`, built from the JSON error body, so forms can put a message next to its field.
 */
import type { ZodError } from 'zod';
import type { TApiErrorBody } from '@/lib/api/with-api';

type TIssue = { field: string; message: string };
type TMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The input field the error is about, when there is one. */
  readonly field?: string;
  readonly issues: TIssue[];

  constructor(status: number, code: string, message: string, options: { field?: string; issues?: TIssue[] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.issues = options.issues ?? (options.field ? [{ field: options.field, message }] : []);
  }

  /** Client-side validation failures take the same shape as the server's 400 answer. */
  static fromZod(error: ZodError): ApiError {
    const issues = error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', message: issue.message }));
    return new ApiError(400, 'VALIDATION', issues[0]?.message ?? 'invalid input', { field: issues[0]?.field, issues });
  }

  /** The message for one input field, if this error names it. */
  messageFor(field: string): string | undefined {
    return this.issues.find((issue) => issue.field === field)?.message;
  }

  /** True when the error is about one of the given fields (shown there, not in a banner). */
  isAboutAny(fields: readonly string[]): boolean {
    return this.issues.some((issue) => fields.includes(issue.field));
  }
}

/** Any thrown value as an ApiError, so a network failure is shown like an API error. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(0, 'NETWORK', `the request failed: ${message}`);
}

export async function fetcher<T>(url: string): Promise<T> {
  return readResponse<T>(await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

export async function apiSend<T = unknown>(method: TMethod, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers:
      body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readResponse<T>(response);
}

async function readResponse<T>(response: Response): Promise<T> {
  const text = await response.text();
  const data: unknown = text ? parseJson(text) : undefined;
  if (response.ok) return data as T;
  const error = isErrorBody(data) ? data.error : undefined;
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? (response.statusText || 'request failed'),
    {
      field: error?.field,
      issues: error?.issues,
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(data: unknown): data is TApiErrorBody {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const error = (data as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}
