/**
 * The one wrapper every API route goes through: authentication (token, Basic or session),
 * role check, Origin check for cookie-authenticated writes, body size limit, zod validation of
 * body and query, and the mapping of errors to HTTP statuses with a JSON body naming the field.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { z, ZodError } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { authenticateRequest, type TAuthenticated } from '@/lib/auth/authenticate-request';
import { CLIENT_ADDRESS_HEADER, HOST_HEADER, PROTOCOL_HEADER } from '@/lib/auth/client-address';
import { recordAudit } from '@/lib/audit/record-audit';
import { db } from '@/lib/db/client';
import { hasRole, type TRole } from '@/lib/auth/roles';
import { isRecordNotFound } from '@/lib/db/errors';
import { logDebug, logError } from '@/lib/node/log';
import { nodeRuntime } from '@/lib/node/runtime';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type TApiErrorBody = {
  error: { code: string; message: string; field?: string; issues?: { field: string; message: string }[] };
};

type TOptions<TBody extends z.ZodType | undefined, TQuery extends z.ZodType | undefined> = {
  /** Minimum role, or 'public' for the few routes that need no user (health). */
  role: TRole | 'public';
  body?: TBody;
  query?: TQuery;
  /** validates the route parameters (e.g. that an id is a UUID) */
  params?: z.ZodType<Record<string, string>>;
  status?: number;
  maxBodyBytes?: number;
};

type TContext<TBody, TQuery, TPublic> = {
  req: NextRequest;
  body: TBody extends z.ZodType ? z.infer<TBody> : undefined;
  query: TQuery extends z.ZodType ? z.infer<TQuery> : undefined;
  params: Record<string, string>;
  user: TPublic extends 'public' ? TAuthenticated | null : TAuthenticated;
};

type TRouteContext = { params: Promise<Record<string, string | string[]>> };

export function withApi<
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TRoleOption extends TRole | 'public' = TRole,
>(
  options: TOptions<TBody, TQuery> & { role: TRoleOption },
  handler: (context: TContext<TBody, TQuery, TRoleOption>) => Promise<unknown> | unknown,
) {
  return async (req: NextRequest, routeContext: TRouteContext): Promise<Response> => {
    const caller: { user: TAuthenticated | null } = { user: null };
    const response = await respond(req, routeContext, caller);
    logDebug('api', `${req.method} ${req.nextUrl.pathname} ${response.status}${caller.user ? ` (${caller.user.name})` : ''}`);
    if (!SAFE_METHODS.has(req.method) && (caller.user || options.role === 'public')) audit(req, caller.user, response);
    return response;
  };

  async function respond(
    req: NextRequest,
    routeContext: TRouteContext,
    caller: { user: TAuthenticated | null },
  ): Promise<Response> {
    try {
      const user = options.role === 'public' ? null : await authenticate(req, options.role, caller);
      const rawParams = Object.fromEntries(
        Object.entries((await routeContext?.params) ?? {}).map(([key, value]) => [key, String(value)]),
      );
      const params = options.params ? options.params.parse(rawParams) : rawParams;
      const query = options.query ? options.query.parse(Object.fromEntries(req.nextUrl.searchParams)) : undefined;
      const body = options.body ? options.body.parse(await readJson(req, options.maxBodyBytes)) : undefined;
      const result = await handler({ req, body, query, params, user } as TContext<TBody, TQuery, TRoleOption>);
      if (result instanceof Response) return result;
      return NextResponse.json(result ?? { ok: true }, { status: options.status ?? 200 });
    } catch (error) {
      return errorResponse(error, req);
    }
  }
}

/** Every write a known caller attempted goes to the audit log, refused or not; a failure to record is logged, never the caller's problem. */
function audit(req: NextRequest, user: TAuthenticated | null, response: Response): void {
  let nodeId: string | null = null;
  try {
    nodeId = nodeRuntime().identity.id;
  } catch {
    nodeId = null;
  }
  void (async () => {
    const errorCode =
      response.status >= 400
        ? ((
            (await response
              .clone()
              .json()
              .catch(() => null)) as TApiErrorBody | null
          )?.error?.code ?? null)
        : null;
    await recordAudit(db(), {
      actor: user?.name ?? null,
      role: user?.role ?? null,
      via: user?.via ?? null,
      method: req.method,
      path: req.nextUrl.pathname,
      status: response.status,
      errorCode,
      address: req.headers.get(CLIENT_ADDRESS_HEADER),
      nodeId,
    });
  })().catch((error) => logError('audit', `could not record ${req.method} ${req.nextUrl.pathname}`, error));
}

async function authenticate(req: NextRequest, minimum: TRole, caller: { user: TAuthenticated | null }): Promise<TAuthenticated> {
  const user = await authenticateRequest(req);
  if (!user) throw new AppError('UNAUTHENTICATED', 'sign in or send an API token');
  caller.user = user;
  // a browser session is a cookie the browser sends anywhere: writes must come from our own pages
  if (user.via === 'session' && !SAFE_METHODS.has(req.method)) assertSameOrigin(req);
  if (!hasRole(user, minimum)) throw new AppError('FORBIDDEN', `this needs the ${minimum} role; you are ${user.role}`);
  return user;
}

/**
 * The page that sent a cookie-authenticated write must be ours: its Origin (scheme, host, port)
 * must be the one the client reached, as the front door decided it (lib/tls/listener.ts: the
 * socket, or a trusted proxy's X-Forwarded-Proto and -Host).
 */
function assertSameOrigin(req: NextRequest): void {
  const reached = ownOrigin(req.headers.get(PROTOCOL_HEADER), req.headers.get(HOST_HEADER));
  let origin: string | undefined;
  try {
    origin = new URL(req.headers.get('origin') ?? '').origin;
  } catch {
    origin = undefined;
  }
  if (!origin || !reached || origin !== reached)
    throw new AppError('FORBIDDEN', 'cross-site request refused (Origin does not match)');
}

function ownOrigin(protocol: string | null, host: string | null): string | undefined {
  if (!host || (protocol !== 'http' && protocol !== 'https')) return undefined;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

async function readJson(req: NextRequest, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes)
    throw new AppError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'request body is not valid JSON');
  }
}

export function errorResponse(error: unknown, req?: NextRequest): Response {
  if (error instanceof AppError) return json(error.status, { code: error.code, message: error.message, field: error.field });
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', message: issue.message }));
    const first = issues[0];
    return json(400, {
      code: 'VALIDATION',
      message: `${first.field}: ${first.message}`,
      field: first.field,
      issues,
    });
  }
  if (isRecordNotFound(error)) return json(404, { code: 'NOT_FOUND', message: 'not found' });
  // any failure while this node's agent cannot reach the database is an outage, not a bug
  if (!databaseReachable())
    return json(503, { code: 'DATABASE_UNREACHABLE', message: 'this node cannot reach the shared database' });
  logError('api', `${req?.method ?? ''} ${req?.nextUrl.pathname ?? ''} failed`, error);
  return json(500, { code: 'INTERNAL', message: 'internal error; see the node log' });
}

function databaseReachable(): boolean {
  try {
    return nodeRuntime().agent.status().databaseReachable;
  } catch {
    return true; // outside a node server (unit tests): nothing to say
  }
}

function json(status: number, error: TApiErrorBody['error']): Response {
  return NextResponse.json({ error } satisfies TApiErrorBody, { status });
}
