/**
 * One HTTP(S) request with what fetch() cannot do: trust a test's own certificate authority and
 * leave from a chosen local address (127.0.0.2, 127.0.0.3 …: distinct clients on one machine).
 */
import http from 'node:http';
import https from 'node:https';

export type TRawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string; json: <T = unknown>() => T };

export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    /** accept any certificate (for reading the headers of a node with a self-signed one; send no secret) */
    anyCertificate?: boolean;
    localAddress?: string;
    timeoutMs?: number;
  } = {},
): Promise<TRawResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers: options.body === undefined ? options.headers : { 'content-type': 'application/json', ...options.headers },
        localAddress: options.localAddress,
        ca: options.ca,
        rejectUnauthorized: options.anyCertificate !== true,
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The session cookie's Set-Cookie line from next-auth's credentials sign-in, as the login page does it. */
export async function signInRaw(
  baseUrl: string,
  name: string,
  password: string,
  options: { ca?: string; anyCertificate?: boolean; localAddress?: string; headers?: Record<string, string> } = {},
) {
  const csrf = await rawRequest(`${baseUrl}/api/auth/csrf`, options);
  const csrfCookie = (csrf.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
  const answer = await rawRequest(`${baseUrl}/api/auth/callback/credentials`, {
    ...options,
    method: 'POST',
    headers: { ...options.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({
      csrfToken: csrf.json<{ csrfToken: string }>().csrfToken,
      username: name,
      password,
      json: 'true',
    }).toString(),
  });
  const sessionLine = (answer.headers['set-cookie'] ?? []).find((line) => line.startsWith('next-auth.session-token='));
  // a refused sign-in answers the login page's address with the reason (?error=…)
  let url: string | undefined;
  try {
    url = (JSON.parse(answer.body || '{}') as { url?: string }).url;
  } catch {
    url = undefined;
  }
  const error = url ? new URL(url).searchParams.get('error') : null;
  return {
    sessionLine,
    cookie: sessionLine?.split(';')[0] ?? '',
    status: answer.status,
    hsts: answer.headers['strict-transport-security'],
    error,
  };
}
