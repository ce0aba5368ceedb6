import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/api/app-error';
import { callHttp, idempotencyKey, MAX_HTTP_RESPONSE_BYTES } from '@/lib/workflow/http-action';
import { parseDefinition } from '@/lib/workflow/parse-definition';

function refusal(raw: unknown): string {
  try {
    parseDefinition(raw);
  } catch (error) {
    if (isAppError(error, 'VALIDATION')) return error.message;
    throw error;
  }
  throw new Error('the definition was accepted');
}

const call = (element: Record<string, unknown>) => ({
  name: 'Http',
  elements: [{ id: 'call', type: 'http', url: "'http://localhost/'", ...element }],
});

describe('the HTTP element in a definition', () => {
  it('is accepted with defaults: GET, 30 s, any 2xx', () => {
    const [element] = parseDefinition(call({ headers: { authorization: "'Bearer ' + token" }, output: 'answer' })).elements;
    expect(element).toMatchObject({
      type: 'http',
      method: 'GET',
      timeoutSeconds: 30,
      headers: { authorization: "'Bearer ' + token" },
    });
  });

  it('refuses a bad expression, method, header name or timeout, naming the field', () => {
    expect(refusal(call({ body: '1 +' }))).toContain('field "body"');
    expect(refusal(call({ headers: { 'x-a': '(' } }))).toContain('field "headers.x-a"');
    expect(refusal(call({ method: 'BREW' }))).toContain('method');
    expect(refusal(call({ headers: { 'bad header': "'x'" } }))).toContain('field "headers.bad header"');
    expect(refusal(call({ timeoutSeconds: 301 }))).toContain('at most 300');
  });
});

describe('an HTTP call', () => {
  const seen: { key: string | undefined; body: string }[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ key: req.headers['idempotency-key'] as string | undefined, body });
        if (req.url === '/big') res.end('x'.repeat(MAX_HTTP_RESPONSE_BYTES + 1));
        else if (req.url === '/hang') return;
        else res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const request = (path: string, timeoutMs = 5_000) => ({
    method: 'POST' as const,
    url: `${base}${path}`,
    headers: {},
    body: 'payload',
    timeoutMs,
    idempotencyKey: idempotencyKey('run-1', 'call'),
    trustedCas: [],
    signal: new AbortController().signal,
  });

  it('sends the idempotency key and the body, and returns status and body', async () => {
    const answer = await callHttp(request('/ok'));
    expect(answer).toEqual({ status: 201, contentType: 'application/json', body: '{"ok":true}' });
    expect(seen.at(-1)).toEqual({ key: 'run-1/call', body: 'payload' });
  });

  it('stops reading an answer over the cap, and a call over its time', async () => {
    await expect(callHttp(request('/big'))).rejects.toThrow('is more than 256 KiB');
    await expect(callHttp(request('/hang', 300))).rejects.toThrow('within 0.3 s');
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(callHttp({ ...request('/'), url: 'file:///etc/passwd' })).rejects.toThrow('must be http:// or https://');
    await expect(callHttp({ ...request('/'), url: 'not a url' })).rejects.toThrow('is not a URL');
  });
});
