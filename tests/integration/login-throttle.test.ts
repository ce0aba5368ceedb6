/**
 * Sign-in limits on a real node, on a database of its own. Attackers and the real root come from
 * different loopback addresses (127.0.0.x are all this machine): the node sees each request's
 * TCP peer, as it would see different hosts. Real password checks are counted by the node
 * itself (`orch_password_checks_total` on /api/metrics, read with an API token, which needs none).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_VERSION } from '@/lib/node/version';
import { createTestDatabase, withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { rawRequest, signInRaw } from '../helpers/https-request';

let node: NodeProcess;
let databaseUrl: string;
let metricsToken: string;

/** One HTTP request from a chosen local address (so the node sees that client address). */
const requestFrom = (from: string, method: string, url: string, headers: Record<string, string> = {}, body?: string) =>
  rawRequest(url, { method, headers, body, localAddress: from });

const basicFrom = (from: string, user: string, password: string) =>
  requestFrom(from, 'GET', `${node.url}/api/me`, { authorization: basicAuth(user, password) });

/** The console's sign-in (next-auth's CSRF token, then its credentials callback), from an address. */
const consoleSignInFrom = (from: string, user: string, password: string) =>
  signInRaw(node.url, user, password, { localAddress: from });

/** A join request with an administrator's password, as a joining node sends it to its seed. */
const joinFrom = (from: string, user: string, password: string) =>
  requestFrom(
    from,
    'POST',
    `${node.url}/api/cluster/join-bundle`,
    { 'content-type': 'application/json' },
    JSON.stringify({
      node: { id: randomUUID(), name: 'joiner', url: 'http://127.0.0.1:1', version: APP_VERSION },
      credentials: { user, password },
    }),
  );

async function passwordChecks(): Promise<number> {
  const response = await fetch(`${node.url}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  const line = (await response.text()).split('\n').find((l) => l.startsWith('orch_password_checks_total '));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Fires `count` attempts at once and reports the real password checks they caused and their statuses. */
async function burst(count: number, attempt: (index: number) => Promise<number>) {
  const before = await passwordChecks();
  const statuses = await Promise.all(Array.from({ length: count }, (_, index) => attempt(index)));
  // the check counter is bumped before the response goes out; nothing is left in flight
  const checks = (await passwordChecks()) - before;
  const tally = statuses.reduce<Record<number, number>>((acc, status) => ({ ...acc, [status]: (acc[status] ?? 0) + 1 }), {});
  return { checks, tally };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // leftovers of long ago: the node deletes them on its own, without anyone asking
  await withClient(databaseUrl, async (client) => {
    await client.query(
      `INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ('addr:192.0.2.99', 40, now() - interval '2 hours')`,
    );
    await client.query(`INSERT INTO revoked_session (session_id, expires_at) VALUES ('long-gone', now() - interval '1 hour')`);
  });
  node = await startNode({ databaseUrl });
  const created = await requestFrom(
    '127.0.0.1',
    'POST',
    `${node.url}/api/tokens`,
    {
      authorization: basicAuth('root', ROOT_PASSWORD),
      'content-type': 'application/json',
    },
    JSON.stringify({ name: 'metrics' }),
  );
  expect(created.status).toBe(201);
  metricsToken = (JSON.parse(created.body) as { token: string }).token;
  // the counter is there and counts (the Basic sign-in above was one check)
  expect(await passwordChecks()).toBeGreaterThanOrEqual(1);
});
afterAll(stopAllNodes);

describe('sign-in limits against password guessing', () => {
  it('30 parallel wrong HTTP Basic guesses for root get at most 5 real password checks', async () => {
    const { checks, tally } = await burst(30, (index) => basicFrom('127.0.0.10', 'root', `wrong-${index}`).then((a) => a.status));
    console.log(`HTTP Basic: 30 parallel wrong guesses → ${checks} password checks, statuses ${JSON.stringify(tally)}`);
    // every 401 is a password that was really checked
    expect(tally[401]).toBeLessThanOrEqual(5);
    expect(checks).toBeLessThanOrEqual(5);
    expect(tally[401]).toBe(checks);
    expect(tally[429]).toBe(30 - checks);
  });

  it('30 parallel wrong console sign-ins for root get at most 5 real password checks', async () => {
    const { checks, tally } = await burst(30, async (index) => {
      const answer = await consoleSignInFrom('127.0.0.11', 'root', `wrong-${index}`);
      expect(answer.cookie).toBe('');
      return answer.error === 'CredentialsSignin' ? 401 : 429;
    });
    console.log(`console: 30 parallel wrong sign-ins → ${checks} password checks, outcomes ${JSON.stringify(tally)}`);
    expect(tally[401]).toBeLessThanOrEqual(5);
    expect(checks).toBeLessThanOrEqual(5);
  });

  it('30 parallel joins with a wrong administrator password get at most 5 real password checks', async () => {
    const { checks, tally } = await burst(30, (index) => joinFrom('127.0.0.12', 'root', `wrong-${index}`).then((a) => a.status));
    console.log(`joins: 30 parallel wrong passwords → ${checks} password checks, statuses ${JSON.stringify(tally)}`);
    expect(tally[401]).toBeLessThanOrEqual(5);
    expect(checks).toBeLessThanOrEqual(5);
    expect(tally[429]).toBe(30 - checks);
  });

  it('an attacker guessing root from one address does not lock root out from another', async () => {
    // 127.0.0.10–12 are refused for root now (previous tests); root at its own machine is not
    expect((await basicFrom('127.0.0.10', 'root', ROOT_PASSWORD)).status).toBe(429);
    expect((await basicFrom('127.0.0.20', 'root', ROOT_PASSWORD)).status).toBe(200);
    expect((await consoleSignInFrom('127.0.0.20', 'root', ROOT_PASSWORD)).cookie).not.toBe('');
    const join = await joinFrom('127.0.0.20', 'root', ROOT_PASSWORD);
    // the credentials pass; what stops this join is that it names no real node (it never gets that far with a wrong password)
    expect([401, 429]).not.toContain(join.status);
  });

  it('waits grow after the free failures instead of locking the pair for good', async () => {
    const from = '127.0.0.30';
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await basicFrom(from, 'alice', 'wrong')).status).toBe(401);
    const refused = await basicFrom(from, 'alice', 'wrong');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error.message).toMatch(/for this user from this address; try again in 1[45] s/);
    // 15 s have passed (moved back in the database, on whose clock the limit counts): one more try
    await withClient(databaseUrl, (c) =>
      c.query(
        `UPDATE login_throttle SET last_failure_at = last_failure_at - interval '15 seconds' WHERE key = 'pair:alice|${from}'`,
      ),
    );
    expect((await basicFrom(from, 'alice', 'wrong')).status).toBe(401);
    const next = await basicFrom(from, 'alice', 'wrong');
    expect(JSON.parse(next.body).error.message).toMatch(/try again in (29|30) s/);
  });

  it('a success clears its pair, so the owner is not slowed down by their own old typos', async () => {
    const from = '127.0.0.31';
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await basicFrom(from, 'root', 'typo')).status).toBe(401);
    expect((await basicFrom(from, 'root', ROOT_PASSWORD)).status).toBe(200);
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await basicFrom(from, 'root', 'typo')).status).toBe(401);
    expect((await basicFrom(from, 'root', ROOT_PASSWORD)).status).toBe(200);
  });

  it('a burst of 20 parallel requests with the right password all succeed (a script is not a guesser)', async () => {
    const { tally } = await burst(20, () => basicFrom('127.0.0.32', 'root', ROOT_PASSWORD).then((a) => a.status));
    expect(tally).toEqual({ 200: 20 });
  });

  it('limits an address guessing many user names, on every node of the database', async () => {
    const from = '127.0.0.40';
    const other = await startNode({ databaseUrl });
    for (let attempt = 0; attempt < 20; attempt += 1)
      expect((await basicFrom(from, `guess-${attempt}`, 'password')).status).toBe(401);
    const blocked = await consoleSignInFrom(from, 'root', ROOT_PASSWORD);
    expect(blocked.cookie).toBe('');
    expect(blocked.error).toMatch(/Too many failed sign-ins from this address/);
    // the count lives in the shared database: a second node refuses the address too
    const elsewhere = await requestFrom(from, 'GET', `${other.url}/api/me`, { authorization: basicAuth('root', ROOT_PASSWORD) });
    expect(elsewhere.status).toBe(429);
    expect(JSON.parse(elsewhere.body).error.code).toBe('TOO_MANY_ATTEMPTS');
    // a client cannot dodge the limit by claiming another address (this node trusts no proxy)
    const spoofed = await requestFrom(from, 'GET', `${node.url}/api/me`, {
      authorization: basicAuth('root', ROOT_PASSWORD),
      'x-orch-client-address': '10.1.2.3',
      'x-forwarded-for': '10.1.2.3',
    });
    expect(spoofed.status).toBe(429);
  });

  it('refuses a 10 kB user name or password as wrong, with no password check and no server error', async () => {
    const before = await passwordChecks();
    expect((await basicFrom('127.0.0.60', 'x'.repeat(10_000), 'password')).status).toBe(401);
    expect((await basicFrom('127.0.0.60', 'root', 'x'.repeat(10_000))).status).toBe(401);
    expect(await passwordChecks()).toBe(before);
  });

  it('deletes throttle rows and signed-out sessions that have expired', async () => {
    await pollUntil(
      () =>
        withClient(databaseUrl, async (c) => {
          const rows = await c.query(
            `SELECT 1 FROM login_throttle WHERE key = 'addr:192.0.2.99' UNION ALL SELECT 1 FROM revoked_session WHERE session_id = 'long-gone'`,
          );
          return rows.rowCount === 0;
        }),
      { what: 'expired throttle rows to be deleted' },
    );
  });
});
