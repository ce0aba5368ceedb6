/**
 * How the CLI talks to a node's API: credentials from --user/--password, ORCH_USER/ORCH_PASSWORD
 * or ORCH_TOKEN; errors become one readable line.
 */
import { cliCredentialsEnv } from '@/lib/env';

export class CliError extends Error {}

export type TCredentialOptions = { user?: string; password?: string };

function authorizationHeader(options: TCredentialOptions): string | undefined {
  const env = cliCredentialsEnv();
  const user = options.user ?? env.ORCH_USER;
  const password = options.password ?? env.ORCH_PASSWORD;
  if (user && password) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (env.ORCH_TOKEN) return `Bearer ${env.ORCH_TOKEN}`;
  if (user || password) throw new CliError('give both a user and a password (--user/--password or ORCH_USER/ORCH_PASSWORD)');
  return undefined;
}

export async function callApi<T>(
  baseUrl: string,
  path: string,
  options: TCredentialOptions & { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  let url: URL;
  try {
    url = new URL(path, baseUrl);
  } catch {
    throw new CliError(`not a URL: ${baseUrl}`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = authorizationHeader(options);
  if (authorization) headers.authorization = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach ${url.origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new CliError(`${url.origin} answered ${response.status} with something that is not JSON`);
  }
  if (!response.ok) {
    const error = (json as { error?: { message?: string } } | undefined)?.error;
    if (response.status === 401 && !authorization)
      throw new CliError('sign-in needed: give --user/--password, or ORCH_USER/ORCH_PASSWORD, or ORCH_TOKEN');
    throw new CliError(
      error?.message ? `${error.message} (HTTP ${response.status})` : `HTTP ${response.status} from ${url.href}`,
    );
  }
  return json as T;
}
