/**
 * The audit log on a real node: every write through the API, by whom, from which address, with
 * its result — refused ones too — and never the request body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuditEntryView } from '@/lib/audit/list-audit';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';

let node: NodeProcess;
const root = basicAuth('root', ROOT_PASSWORD);

async function call(method: string, path: string, auth: string, body?: unknown) {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  // this node trusts a reverse proxy on loopback: X-Forwarded-For from there names the client
  node = await startNode({ name: 'audited', env: { ORCH_TRUSTED_PROXIES: '127.0.0.1,::1' } });
});
afterAll(stopAllNodes);

describe('audit log', () => {
  it('records writes with who, what, from where and the result, refused ones too, without bodies', async () => {
    expect(
      (await call('POST', '/api/users', root, { name: 'auditor', role: 'viewer', password: 'secret-password-9' })).status,
    ).toBe(201);
    expect(
      (await call('PUT', '/api/config/settings', basicAuth('auditor', 'secret-password-9'), { logLevel: 'debug' })).status,
    ).toBe(403);
    const entries = await pollUntil(
      async () => {
        const answer = await call('GET', '/api/audit', root);
        const list = JSON.parse(answer.text) as TAuditEntryView[];
        return list.length >= 2 ? { list, text: answer.text } : undefined;
      },
      { what: 'two audit entries' },
    );
    const [refused, created] = entries.list;
    expect(created).toMatchObject({
      actor: 'root',
      role: 'admin',
      via: 'password',
      method: 'POST',
      path: '/api/users',
      status: 201,
      nodeName: 'audited',
    });
    expect(refused).toMatchObject({
      actor: 'auditor',
      role: 'viewer',
      method: 'PUT',
      path: '/api/config/settings',
      status: 403,
      errorCode: 'FORBIDDEN',
    });
    expect(created.address).toMatch(/127\.0\.0\.1|::1/);
    expect(entries.text).not.toContain('secret-password-9');
    // reads are not recorded, and viewers cannot read the log
    expect(entries.list.some((entry) => entry.method === 'GET')).toBe(false);
    expect((await call('GET', '/api/audit', basicAuth('auditor', 'secret-password-9'))).status).toBe(403);
  });

  it('records the client a trusted reverse proxy names in X-Forwarded-For', async () => {
    const response = await fetch(`${node.url}/api/me/password`, {
      method: 'PUT',
      headers: { authorization: root, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.23' },
      body: JSON.stringify({ current: 'wrong', password: 'another-password-1' }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const [latest] = JSON.parse((await call('GET', '/api/audit', root)).text) as TAuditEntryView[];
    expect(latest).toMatchObject({ path: '/api/me/password', address: '198.51.100.23' });
  });
});
