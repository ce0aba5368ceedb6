/**
 * Sessions and tokens end when they should, on a real node: a cookie taken before a password
 * change, a reset, a sign-out or "sign out everywhere" stops working at its next request, for
 * the API and the pages; tokens expire and can be revoked with a reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { signIn } from '../helpers/session';

let node: NodeProcess;
let databaseUrl: string;
const root = basicAuth('root', ROOT_PASSWORD);

/** A request as the console page sends it: the session cookie, and our own Origin on writes. */
async function asSession(cookie: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${node.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { cookie, origin: node.url, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

async function asBasic(auth: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as Record<string, unknown> | null };
}

async function createUser(name: string, password: string): Promise<{ id: string; version: number }> {
  const created = await asBasic(root, 'POST', '/api/users', { name, role: 'operator', password });
  expect(created.status).toBe(201);
  return created.json as { id: string; version: number };
}

async function sessionOf(name: string, password: string): Promise<string> {
  const { cookie } = await signIn(node.url, name, password);
  expect(cookie).not.toBe('');
  expect((await asSession(cookie, 'GET', '/api/me')).status).toBe(200);
  return cookie;
}

/** A page with the cookie: 200 while the session holds, else a redirect to the sign-in page. */
async function pageStatus(cookie: string): Promise<string> {
  const answer = await asSession(cookie, 'GET', '/account');
  return answer.status === 200 ? 'page' : `${answer.status} ${new URL(answer.location ?? '', node.url).pathname}`;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl });
});
afterAll(stopAllNodes);

describe('a stolen session cookie after a password change', () => {
  it('is refused by the API (401) and sent to sign in by the pages', async () => {
    await createUser('alice', 'alice-password-1');
    const stolen = await sessionOf('alice', 'alice-password-1');
    const own = await sessionOf('alice', 'alice-password-1');
    expect(await pageStatus(stolen)).toBe('page');

    const changed = await asSession(own, 'PUT', '/api/me/password', {
      currentPassword: 'alice-password-1',
      newPassword: 'alice-password-2',
    });
    expect(changed.status).toBe(200);

    expect((await asSession(stolen, 'GET', '/api/me')).status).toBe(401);
    expect(await pageStatus(stolen)).toBe('307 /login');
    // the session that made the change ends too: a fresh sign-in with the new password works
    expect((await asSession(own, 'GET', '/api/me')).status).toBe(401);
    await sessionOf('alice', 'alice-password-2');
  });

  it('cannot mint an API token any more', async () => {
    await createUser('bob', 'bob-password-1');
    const stolen = await sessionOf('bob', 'bob-password-1');
    expect(
      (
        await asBasic(basicAuth('bob', 'bob-password-1'), 'PUT', '/api/me/password', {
          currentPassword: 'bob-password-1',
          newPassword: 'bob-password-2',
        })
      ).status,
    ).toBe(200);
    const minted = await asSession(stolen, 'POST', '/api/tokens', { name: 'backdoor' });
    expect(minted.status).toBe(401);
    const tokens = await withClient(databaseUrl, (c) =>
      c.query(`SELECT 1 FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE u.name = 'bob'`),
    );
    expect(tokens.rowCount).toBe(0);
  });
});

describe('an administrator resetting a password', () => {
  it("ends the user's sessions, and with revokeTokens their API tokens too", async () => {
    const carol = await createUser('carol', 'carol-password-1');
    const session = await sessionOf('carol', 'carol-password-1');
    const token = (await asSession(session, 'POST', '/api/tokens', { name: 'script' }).then((a) => JSON.parse(a.text)))
      .token as string;
    const bearer = `Bearer ${token}`;
    expect((await asBasic(bearer, 'GET', '/api/me')).status).toBe(200);

    // a reset without revokeTokens keeps the token, ends the session
    const reset = await asBasic(root, 'PATCH', `/api/users/${carol.id}`, {
      password: 'carol-password-2',
      version: carol.version,
    });
    expect(reset.status).toBe(200);
    expect((await asSession(session, 'GET', '/api/me')).status).toBe(401);
    expect((await asBasic(bearer, 'GET', '/api/me')).status).toBe(200);

    const again = await asBasic(root, 'PATCH', `/api/users/${carol.id}`, {
      password: 'carol-password-3',
      revokeTokens: true,
      version: (reset.json as { version: number }).version,
    });
    expect(again.status).toBe(200);
    expect((await asBasic(bearer, 'GET', '/api/me')).status).toBe(401);
  });

  it('refuses revokeTokens without a new password, naming the field, and changes nothing', async () => {
    const dave = await createUser('dave', 'dave-password-1');
    const refused = await asBasic(root, 'PATCH', `/api/users/${dave.id}`, {
      role: 'viewer',
      revokeTokens: true,
      version: dave.version,
    });
    expect(refused.status).toBe(400);
    expect((refused.json as { error: { field: string } }).error.field).toBe('revokeTokens');
    const row = await withClient(databaseUrl, (c) =>
      c.query(`SELECT role::text, version FROM app_user WHERE id = $1`, [dave.id]),
    );
    expect(row.rows[0]).toEqual({ role: 'operator', version: dave.version });
  });
});

describe('signing out', () => {
  it('"sign out everywhere" ends every session of the user, on every request after', async () => {
    await createUser('erin', 'erin-password-1');
    const laptop = await sessionOf('erin', 'erin-password-1');
    const phone = await sessionOf('erin', 'erin-password-1');
    expect((await asSession(phone, 'DELETE', '/api/me/sessions')).status).toBe(200);
    expect((await asSession(laptop, 'GET', '/api/me')).status).toBe(401);
    expect((await asSession(phone, 'GET', '/api/me')).status).toBe(401);
    expect(await pageStatus(laptop)).toBe('307 /login');
  });

  it('a plain sign-out ends that session (a copy of its cookie is refused), not the others', async () => {
    await createUser('frank', 'frank-password-1');
    const signedOut = await sessionOf('frank', 'frank-password-1');
    const other = await sessionOf('frank', 'frank-password-1');
    // next-auth's sign-out, as the console's button sends it
    const csrf = await fetch(`${node.url}/api/auth/csrf`, { headers: { cookie: signedOut } });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const out = await fetch(`${node.url}/api/auth/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${signedOut}; ${csrfCookie}` },
      body: new URLSearchParams({ csrfToken, json: 'true' }),
    });
    expect(out.status).toBeLessThan(400);
    expect((await asSession(signedOut, 'GET', '/api/me')).status).toBe(401);
    expect(await pageStatus(signedOut)).toBe('307 /login');
    expect((await asSession(other, 'GET', '/api/me')).status).toBe(200);
  });
});

describe('API token expiry', () => {
  it('shows the expiry, and refuses the token once it has passed (database clock)', async () => {
    const created = await asBasic(root, 'POST', '/api/tokens', { name: 'short-lived', expiresInDays: 1 });
    expect(created.status).toBe(201);
    const { id, token, expiresAt } = created.json as { id: string; token: string; expiresAt: string };
    const inADay = Date.now() + 24 * 3600_000;
    expect(Math.abs(new Date(expiresAt).getTime() - inADay)).toBeLessThan(60_000);
    expect((await asBasic(`Bearer ${token}`, 'GET', '/api/me')).status).toBe(200);

    await withClient(databaseUrl, (c) =>
      c.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]),
    );
    const refused = await asBasic(`Bearer ${token}`, 'GET', '/api/me');
    expect(refused.status).toBe(401);
    expect((refused.json as { error: { message: string } }).error.message).toMatch(/expired/);

    const listed = await asBasic(root, 'GET', '/api/tokens');
    const row = (listed.json as unknown as { id: string; expiresAt: string | null }[]).find((t) => t.id === id);
    expect(row?.expiresAt).not.toBeNull();
    const never = await asBasic(root, 'POST', '/api/tokens', { name: 'forever' });
    expect((never.json as { expiresAt: string | null }).expiresAt).toBeNull();
  });

  it('refuses a lifetime out of range, naming the field, and creates nothing', async () => {
    for (const expiresInDays of [0, -1, 1.5, 100_000, '30']) {
      const refused = await asBasic(root, 'POST', '/api/tokens', { name: 'bad', expiresInDays });
      expect(refused.status).toBe(400);
      expect((refused.json as { error: { field: string } }).error.field).toBe('expiresInDays');
    }
    const bad = await withClient(databaseUrl, (c) => c.query(`SELECT 1 FROM api_token WHERE name = 'bad'`));
    expect(bad.rowCount).toBe(0);
  });
});
