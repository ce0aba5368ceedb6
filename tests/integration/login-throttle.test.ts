/**
 * The per-address sign-in limit, on a database of its own (every test request comes from
 * 127.0.0.1, so this limit would block the other files' sign-ins).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { signIn } from '../helpers/session';

let node: NodeProcess;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl });
});
afterAll(stopAllNodes);

describe('sign-in rate limit per client address', () => {
  it('blocks an address after 20 failures spread over many user names, on every node', async () => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const response = await fetch(`${node.url}/api/me`, { headers: { authorization: basicAuth(`guess-${attempt}`, 'password') } });
      expect(response.status).toBe(401);
    }
    const blocked = await signIn(node.url, 'root', ROOT_PASSWORD);
    expect(blocked.cookie).toBe('');
    expect(blocked.error).toMatch(/Too many failed sign-ins for this address/);

    // the count lives in the shared database: a second node refuses the address too
    const other = await startNode({ databaseUrl });
    const elsewhere = await fetch(`${other.url}/api/me`, { headers: { authorization: basicAuth('root', ROOT_PASSWORD) } });
    expect(elsewhere.status).toBe(429);
    expect((await elsewhere.json()).error.code).toBe('TOO_MANY_ATTEMPTS');

    // a client cannot dodge the limit by claiming another address
    const spoofed = await fetch(`${node.url}/api/me`, {
      headers: { authorization: basicAuth('root', ROOT_PASSWORD), 'x-orch-client-address': '10.1.2.3', 'x-forwarded-for': '10.1.2.3' },
    });
    expect(spoofed.status).toBe(429);

    // once the window has passed (moved back in the database), the address may try again
    await withClient(databaseUrl, (client) => client.query(`UPDATE login_throttle SET window_started_at = now() - interval '16 minutes'`));
    expect((await fetch(`${node.url}/api/me`, { headers: { authorization: basicAuth('root', ROOT_PASSWORD) } })).status).toBe(200);
  });
});
