/**
 * The Database API and `orchctl database show|test` on a real node whose database is a real
 * PostgreSQL 15 primary with a synchronous streaming standby: the facts (never the password),
 * and the checks of good and bad connection strings, each bad one failing with its reason.
 */
import { writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDatabaseFacts } from '@/lib/database/show-database';
import type { TDatabaseTestResult } from '@/lib/database/test-database';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';

const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
// the connection strings under test use their own role, so "never shown" is about their password
// (the node's own database password is the pair's)
const TESTED_PASSWORD = `tested-${Math.random().toString(36).slice(2)}`;

describe('the database facts and connection-string checks (API and CLI)', () => {
  let pair: ReplicaPair;
  let node: NodeProcess;
  let scratch: string;

  async function callTest(url: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${node.url}/api/database/test`, {
      method: 'POST',
      headers: { authorization: basicAuth('root', ROOT_PASSWORD), 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    return { status: response.status, text: await response.text() };
  }

  async function testResult(url: string): Promise<TDatabaseTestResult> {
    const { status, text } = await callTest(url);
    expect(status, text).toBe(200);
    expect(text).not.toContain(TESTED_PASSWORD);
    return JSON.parse(text) as TDatabaseTestResult;
  }

  /** A URL as an operator would test it: the `tester` role, hosts in the order given. */
  const testedUrl = (servers: ReplicaPair['primary'][], database: string) =>
    pair.url(servers, database).replace(`postgres:${pair.password}@`, `tester:${TESTED_PASSWORD}@`);

  const check = (result: TDatabaseTestResult, name: string) => result.checks.find((entry) => entry.name === name);

  beforeAll(async () => {
    pair = await startReplicaPair({ synchronous: true });
    await pair.query(pair.primary, `CREATE ROLE tester LOGIN SUPERUSER PASSWORD '${TESTED_PASSWORD}'`);
    await pair.query(pair.primary, 'CREATE DATABASE orch');
    await pair.query(pair.primary, 'CREATE DATABASE fresh');
    await pair.query(pair.primary, 'CREATE DATABASE busy');
    await pair.query(pair.primary, 'CREATE TABLE invoices (id int)', 'busy');
    scratch = await mkdtemp(path.join(os.tmpdir(), 'orch-database-test-'));
    node = await startNode({ databaseUrl: pair.singleUrl(pair.primary, 'orch'), name: 'alpha' });
  });

  afterAll(async () => {
    await stopAllNodes();
    await pair?.stop();
  });

  it('GET /api/database shows where the database is, what it runs and its synchronous standby, never the password', async () => {
    const response = await fetch(`${node.url}/api/database`, { headers: { authorization: basicAuth('root', ROOT_PASSWORD) } });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).not.toContain(pair.password);
    const facts = JSON.parse(text) as TDatabaseFacts;
    expect(facts).toMatchObject({
      kind: 'external',
      url: `postgresql://postgres:***@127.0.0.1:${pair.primary.port}/orch`,
      hosts: [`127.0.0.1:${pair.primary.port}`],
      database: 'orch',
      user: 'postgres',
      reachable: true,
      role: 'primary',
    });
    if (!facts.reachable) throw new Error('unreachable');
    expect(facts.serverVersion).toMatch(/^15\./);
    expect(facts.sizeBytes).toBeGreaterThan(0);
    expect(facts.connections.max).toBe(40);
    expect(facts.connections.inUse).toBeGreaterThan(0);
    expect(facts.replication).toMatchObject({
      visible: true,
      standbys: [{ name: 'standby1', state: 'streaming', syncState: 'sync' }],
    });
    expect(facts.heartbeat.source).toBe('heartbeat histogram');
  });

  it("reports the heartbeat latency p50/p99 from this node's heartbeat histogram", async () => {
    const facts = await pollUntil(
      async () => {
        const response = await fetch(`${node.url}/api/database`, {
          headers: { authorization: basicAuth('root', ROOT_PASSWORD) },
        });
        const body = (await response.json()) as TDatabaseFacts;
        return body.heartbeat.samples >= 3 ? body : undefined;
      },
      { what: 'three heartbeats in the histogram' },
    );
    expect(facts.heartbeat.p50Ms).toBeGreaterThan(0);
    expect(facts.heartbeat.p99Ms).toBeGreaterThanOrEqual(facts.heartbeat.p50Ms ?? 0);
  });

  it('passes every check for an empty database on the primary, also when the standby is listed first', async () => {
    const result = await testResult(testedUrl([pair.standby, pair.primary], 'fresh'));
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.map((entry) => entry.name)).toEqual([
      'url',
      'reachable',
      'writable',
      'version',
      'create-tables',
      'empty-or-ours',
      'max-connections',
      'tls',
    ]);
    expect(result.url).toBe(`postgresql://tester:***@127.0.0.1:${pair.standby.port},127.0.0.1:${pair.primary.port}/fresh`);
    expect(check(result, 'writable')?.detail).toBe(`127.0.0.1:${pair.primary.port} is the writable primary`);
    // nothing was left behind by the create-tables check
    expect(
      await pair.query(pair.primary, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`, 'fresh'),
    ).toEqual([{ n: 0 }]);
  });

  it('fails the reachable check for a wrong password, naming it', async () => {
    const result = await testResult(testedUrl([pair.primary], 'fresh').replace(TESTED_PASSWORD, 'not-the-password'));
    expect(result.ok).toBe(false);
    expect(check(result, 'reachable')).toEqual({
      name: 'reachable',
      ok: false,
      detail: `127.0.0.1:${pair.primary.port}: wrong password`,
    });
  });

  it('fails the reachable check for a host where nothing listens', async () => {
    const port = await findFreePort();
    const result = await testResult(`postgresql://tester:${TESTED_PASSWORD}@127.0.0.1:${port}/fresh`);
    expect(check(result, 'reachable')).toEqual({
      name: 'reachable',
      ok: false,
      detail: `127.0.0.1:${port}: connection refused (nothing listens there)`,
    });
    expect(check(result, 'version')?.detail).toBe('not checked: no host could be reached');
  });

  it('fails for a database holding other tables, naming them', async () => {
    const result = await testResult(testedUrl([pair.primary], 'busy'));
    expect(result.ok).toBe(false);
    expect(check(result, 'empty-or-ours')).toEqual({
      name: 'empty-or-ours',
      ok: false,
      detail: 'holds 1 other table(s) (public.invoices): use an empty database',
    });
  });

  it('accepts the database the node already uses as its own', async () => {
    const result = await testResult(testedUrl([pair.primary], 'orch'));
    expect(check(result, 'empty-or-ours')?.ok).toBe(true);
    expect(check(result, 'empty-or-ours')?.detail).toMatch(/^holds this product's tables \(\d+ migrations applied\)$/);
  });

  it('fails when the only host is a read-only standby', async () => {
    const result = await testResult(testedUrl([pair.standby], 'fresh'));
    expect(result.ok).toBe(false);
    expect(check(result, 'writable')).toEqual({
      name: 'writable',
      ok: false,
      detail: `127.0.0.1:${pair.standby.port} is a read-only standby (in recovery); the cluster needs the writable primary`,
    });
  });

  it('refuses a URL with a typo with one line naming what is wrong, without echoing it', async () => {
    const { status, text } = await callTest(`postgresql://tester:${TESTED_PASSWORD}@127.0.0.1:54x2/fresh`);
    expect(status).toBe(400);
    expect(text).not.toContain(TESTED_PASSWORD);
    expect(JSON.parse(text)).toEqual({
      error: { code: 'BAD_REQUEST', message: 'database URL: the port of host "127.0.0.1:54x2" is not a number', field: 'url' },
    });
  });

  it('orchctl database show prints the facts, never the password', async () => {
    const shown = await runOrchctl(['database', 'show', '--url', node.url], AS_ROOT);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`connected    127.0.0.1:${pair.primary.port}, the primary`);
    expect(shown.stdout).toMatch(/replication {2}standby1 \(127\.0\.0\.1\): streaming, sync/);
    expect(shown.stdout + shown.stderr).not.toContain(pair.password);
    const json = await runOrchctl(['database', 'show', '--url', node.url, '--json'], AS_ROOT);
    expect((JSON.parse(json.stdout) as TDatabaseFacts).database).toBe('orch');
  });

  it('orchctl database test exits 0 only when every check passed, one line per check, URL from the environment or a file', async () => {
    const good = await runOrchctl(['database', 'test', '--url', node.url], {
      ...AS_ROOT,
      ORCH_TEST_DATABASE_URL: testedUrl([pair.standby, pair.primary], 'fresh'),
    });
    expect(good.code, good.stdout + good.stderr).toBe(0);
    const lines = good.stdout.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.slice(1, 9).every((line) => line.startsWith('passed  '))).toBe(true);
    expect(lines.at(-1)).toBe('every check passed');

    const file = path.join(scratch, 'standby-url');
    await writeFile(file, `${testedUrl([pair.standby], 'fresh')}\n`, { mode: 0o600 });
    const standbyOnly = await runOrchctl(['database', 'test', '--url', node.url, '--database-url-file', file], AS_ROOT);
    expect(standbyOnly.code).toBe(1);
    expect(standbyOnly.stdout).toContain(
      `FAILED  writable         127.0.0.1:${pair.standby.port} is a read-only standby (in recovery)`,
    );

    const typo = await runOrchctl(['database', 'test', '--url', node.url], {
      ...AS_ROOT,
      ORCH_TEST_DATABASE_URL: `postgresq://tester:${TESTED_PASSWORD}@127.0.0.1/fresh`,
    });
    expect(typo.code).toBe(1);
    expect(typo.stderr.trim()).toBe('orchctl: database URL: the scheme must be postgresql:// (not postgresq://) (HTTP 400)');

    const missing = await runOrchctl(['database', 'test', '--url', node.url], AS_ROOT);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'orchctl: give the connection string to test in ORCH_TEST_DATABASE_URL or a file named by --database-url-file',
    );

    for (const result of [good, standbyOnly, typo]) expect(result.stdout + result.stderr).not.toContain(TESTED_PASSWORD);
  });

  it('a viewer may read the facts but not run a test', async () => {
    const created = await fetch(`${node.url}/api/users`, {
      method: 'POST',
      headers: { authorization: basicAuth('root', ROOT_PASSWORD), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'vera', password: 'vera-password-1234', role: 'viewer' }),
    });
    expect(created.status, await created.text()).toBeLessThan(300);
    const asViewer = { authorization: basicAuth('vera', 'vera-password-1234') };
    expect((await fetch(`${node.url}/api/database`, { headers: asViewer })).status).toBe(200);
    const refused = await fetch(`${node.url}/api/database/test`, {
      method: 'POST',
      headers: { ...asViewer, 'content-type': 'application/json' },
      body: JSON.stringify({ url: testedUrl([pair.primary], 'fresh') }),
    });
    expect(refused.status).toBe(403);
  });

  it('the tested password is in no audit entry and no log line of the node', async () => {
    const audit = await pair.query(
      pair.primary,
      `SELECT to_jsonb(a)::text AS row FROM audit_entry a WHERE path = '/api/database/test'`,
      'orch',
    );
    expect(audit.length).toBeGreaterThan(0);
    for (const { row } of audit) expect(String(row)).not.toContain(TESTED_PASSWORD);
    expect(node.output()).not.toContain(TESTED_PASSWORD);
  });
});
