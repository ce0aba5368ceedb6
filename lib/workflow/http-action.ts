/**
 * The built-in HTTP element's call: one HTTP(S) request, off the heartbeat path (asynchronous
 * I/O, bounded in time and in the size of the answer it reads), trusting the system's CAs plus
 * the cluster's trusted CA certificates (lib/workflow/trusted-cas.ts).
 *
 * Every call carries an `Idempotency-Key` header, the same on every attempt of the element in a
 * run: after a failover the element runs again (at least once), and the receiver drops the
 * repeat. What the call answered reaches the run only through the runner's epoch-fenced
 * checkpoint.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { describeBytes } from '@/lib/workflow/limits';

/** The body of an answer that is read: a bigger one fails the element. */
export const MAX_HTTP_RESPONSE_BYTES = 256 * 1024;
/** The body a request may send (after evaluation). */
export const MAX_HTTP_REQUEST_BYTES = 256 * 1024;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export type THttpRequest = {
  method: (typeof HTTP_METHODS)[number];
  url: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  idempotencyKey: string;
  trustedCas: string[];
  signal: AbortSignal;
};

export type THttpAnswer = { status: number; contentType: string | null; body: string };

/** The call failed (refused, untrusted, timed out, too big); the message says which and what to do. */
export class HttpCallError extends Error {}

/** The key every attempt of one element in one run sends. */
export function idempotencyKey(runId: string, elementId: string): string {
  return `${runId}/${elementId}`;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function describeFailure(url: URL, error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (UNTRUSTED.has(code)) {
    return `the certificate of ${url.host} is not trusted (${code}): add the CA that issued it to the cluster's trusted CA certificates and push the configuration`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the certificate of ${url.host} is not valid for that name (${error.message})`;
  if (code === 'CERT_HAS_EXPIRED') return `the certificate of ${url.host} has expired`;
  if (code === 'ECONNREFUSED') return `${url.host} refused the connection`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${url.hostname} does not resolve`;
  return `the call to ${url.origin} failed: ${error.message}${code ? ` (${code})` : ''}`;
}

export function callHttp(request: THttpRequest): Promise<THttpAnswer> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.reject(new HttpCallError(`url ${JSON.stringify(request.url.slice(0, 200))} is not a URL`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new HttpCallError(`url must be http:// or https://, not ${url.protocol}`));
  if (request.body !== null && Buffer.byteLength(request.body) > MAX_HTTP_REQUEST_BYTES) {
    return Promise.reject(new HttpCallError(`the request body is more than ${describeBytes(MAX_HTTP_REQUEST_BYTES)}`));
  }
  const headers: Record<string, string> = { ...request.headers, 'idempotency-key': request.idempotencyKey };
  if (request.body !== null) headers['content-length'] = String(Buffer.byteLength(request.body));
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method: request.method,
    headers,
    timeout: request.timeoutMs,
    signal: request.signal,
    ...(secure && request.trustedCas.length > 0 ? { ca: [...rootCertificates, ...request.trustedCas] } : {}),
  };

  return new Promise<THttpAnswer>((resolve, reject) => {
    const deadline = setTimeout(
      () => fail(new HttpCallError(`no complete answer from ${url.origin} within ${request.timeoutMs / 1000} s`)),
      request.timeoutMs,
    );
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outgoing.destroy();
      reject(error);
    };
    const outgoing = (secure ? https : http).request(url, options, (incoming) => {
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_HTTP_RESPONSE_BYTES) {
          fail(
            new HttpCallError(
              `the answer of ${url.origin} is more than ${describeBytes(MAX_HTTP_RESPONSE_BYTES)}; a larger one is not read`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      incoming.on('error', (error) => fail(new HttpCallError(describeFailure(url, error))));
      incoming.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({
          status: incoming.statusCode ?? 0,
          contentType: incoming.headers['content-type'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    outgoing.on('timeout', () => fail(new HttpCallError(`no answer from ${url.origin} within ${request.timeoutMs / 1000} s`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') fail(error);
      else fail(new HttpCallError(describeFailure(url, error)));
    });
    outgoing.end(request.body ?? undefined);
  });
}
