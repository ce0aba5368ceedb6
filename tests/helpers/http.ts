/**
 * The one HTTP client of the integration and e2e tests for a node's API: JSON in, the status,
 * the parsed body (undefined when there is none or it is not JSON) and the raw text out. Signed
 * in as root with HTTP basic auth unless `auth` says otherwise ('' sends no credentials).
 */
import { ROOT } from './cluster';
import type { NodeProcess } from './node-process';

export type TApiInit = { method?: string; body?: unknown; auth?: string; headers?: Record<string, string>; timeoutMs?: number };
export type TApiAnswer<T> = { status: number; body: T; text: string };

export async function api<T = unknown>(target: NodeProcess | string, route: string, init: TApiInit = {}): Promise<TApiAnswer<T>> {
  const base = typeof target === 'string' ? target : target.url;
  const auth = init.auth ?? ROOT;
  const response = await fetch(`${base}${route}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body: body as T, text };
}

/** The same, for a call that must succeed: throws with the status and the answer otherwise. */
export async function apiOk<T = unknown>(target: NodeProcess | string, route: string, init: TApiInit = {}): Promise<T> {
  const answer = await api<T>(target, route, init);
  if (answer.status < 200 || answer.status > 299)
    throw new Error(`${init.method ?? 'GET'} ${route}: HTTP ${answer.status} ${answer.text}`);
  return answer.body;
}
