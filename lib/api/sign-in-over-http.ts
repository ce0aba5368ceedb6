/**
 * Signs in through next-auth's own endpoints, as the sign-in page does, and returns the session
 * cookie (for scripts and tests that need a browser's session without a browser).
 */
export async function signInOverHttp(
  baseUrl: string,
  name: string,
  password: string,
): Promise<{ cookie: string; status: number; error?: string }> {
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const csrfCookie = csrfResponse.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, username: name, password, json: 'true' }),
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
  const session = cookies.find((c) => c.startsWith('next-auth.session-token='));
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? (new URL(body.url).searchParams.get('error') ?? undefined) : undefined;
  return { cookie: session ?? '', status: response.status, error };
}
