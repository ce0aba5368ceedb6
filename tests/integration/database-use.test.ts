/**
 * *Use this database* on a real standalone node (on its built-in PostgreSQL) and a real external
 * PostgreSQL 15 (a primary with a streaming standby): every bad database is refused with one line
 * and changes nothing; a copy that fails half-way (a unique conflict in the new database) leaves
 * the node on its built-in database with all its data; a good one copies users, tokens,
 * workflows, runs, configuration, events and audit with the counts verified, and the node comes
 * back on it. The password is in no answer, log, audit entry or process argument.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDatabaseView } from '@/lib/database/read-database-view';
import { applyMigrations } from '@/lib/db/migrate';
import { findFreePort } from '@/lib/node/ports';
import { ROOT, seedCluster } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { commandLineOf, processTree } from '../helpers/processes';
import { pollUntil } from '../helpers/poll';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';
import { importDefinition, startRun, waitForStatus } from '../helpers/workflows';

const OWNER_PASSWORD = `owner-${Math.random().toString(36).slice(2)}`;
/** tables whose rows do not change once the node is idle: their counts must match exactly */
const STABLE_TABLES = [
  'app_user',
  'api_token',
  'workflow_definition',
  'workflow_run',
  'workflow_run_event',
  'workflow_log_entry',
  'config_version',
  'config_blob',
  'shared_secret',
];

let pair: ReplicaPair;
let node: NodeProcess;

/** postgresql://owner:…@127.0.0.1:P/DATABASE on the pair's primary (or another server) */
const ownerUrl = (database: string, port = pair.primary.port, password = OWNER_PASSWORD) =>
  `postgresql://owner:${password}@127.0.0.1:${port}/${database}`;

async function builtInUrl(): Promise<string> {
  const credentials = JSON.parse(await readFile(path.join(node.dataDir, 'database', 'credentials.json'), 'utf8')) as {
    user: string;
    password: string;
  };
  const port = (await readFile(path.join(node.dataDir, 'database', 'port'), 'utf8')).trim();
  return `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/orchestrator`;
}

async function countRows(databaseUrl: string, tables: string[]): Promise<Record<string, number>> {
  return withClient(databaseUrl, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return counts;
  });
}

async function use(url: string, copyData: boolean): Promise<{ status: number; text: string }> {
  const response = await fetch(`${node.url}/api/database/use`, {
    method: 'POST',
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: JSON.stringify({ url, copyData }),
  });
  return { status: response.status, text: await response.text() };
}

async function databaseView(): Promise<TDatabaseView> {
  const response = await fetch(`${node.url}/api/database`, {
    headers: { authorization: ROOT },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET /api/database: HTTP ${response.status}`);
  return (await response.json()) as TDatabaseView;
}

/** After a use was accepted: the node restarts and reports how it ended. */
const outcome = () =>
  pollUntil(async () => (await databaseView()).change, { timeoutMs: 240_000, intervalMs: 1_000, what: 'the outcome of the use' });

const choiceFiles = () =>
  ['database-url', 'database-use.json', 'database-url.next'].filter((name) => existsSync(path.join(node.dataDir, name)));

beforeAll(async () => {
  pair = await startReplicaPair();
  await pair.query(pair.primary, `CREATE ROLE owner LOGIN PASSWORD '${OWNER_PASSWORD}'`);
  for (const database of ['fresh', 'busy', 'taken', 'conflict'])
    await pair.query(pair.primary, `CREATE DATABASE ${database} OWNER owner`);
  await pair.query(pair.primary, 'CREATE TABLE invoices (id int)', 'busy');
  // a database that already holds a cluster, and one migrated but holding a row the copy will conflict with
  await applyMigrations(ownerUrl('taken'));
  await seedCluster(ownerUrl('taken'), { intervalMs: 1_000, failoverHeartbeats: 3 });
  await applyMigrations(ownerUrl('conflict'));

  node = await startNode({ name: 'solo' });
  // data worth copying: a user, a token, a workflow and a finished run
  await fetch(`${node.url}/api/users`, {
    method: 'POST',
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'carol', role: 'operator', password: 'carol-password-1' }),
  });
  await importDefinition(
    node,
    JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'samples', 'workflows', 'cluster-test.json'), 'utf8')),
  );
  const runId = await startRun(node, 'Cluster Test', { count: 2 });
  await waitForStatus(await builtInUrl(), [runId], 'COMPLETED', 60_000);
  // the one row of shared_secret the copy will meet again in "conflict": a unique violation half-way through the tables
  await withClient(ownerUrl('conflict'), (client) =>
    client.query(`INSERT INTO shared_secret (name, value) VALUES ('auth', 'already-here')`),
  );
}, 300_000);

afterAll(async () => {
  await stopAllNodes();
  await pair?.stop();
});

describe('Use this database', () => {
  it('refuses each bad database with one line naming what is wrong, and changes nothing', async () => {
    const unusedPort = await findFreePort();
    const cases: { url: string; status: number; says: RegExp }[] = [
      { url: ownerUrl('fresh', unusedPort), status: 422, says: /reachable check failed: 127\.0\.0\.1:\d+: / },
      {
        url: ownerUrl('fresh', pair.primary.port, 'wrong-password'),
        status: 422,
        says: /reachable check failed: .*wrong password/,
      },
      { url: ownerUrl('busy'), status: 422, says: /other table\(s\) \(public\.invoices\)/ },
      { url: ownerUrl('taken'), status: 422, says: /already holds cluster "test" .*use Join/ },
      {
        url: `postgresql://owner:${OWNER_PASSWORD}@127.0.0.1:${pair.standby.port}/fresh`,
        status: 422,
        says: /writable check failed: .*read-only standby/,
      },
      { url: `postgresql//owner:${OWNER_PASSWORD}@127.0.0.1:${pair.primary.port}/fresh`, status: 400, says: /database URL: / },
      { url: `${ownerUrl('fresh')}?sslmod=disable`, status: 400, says: /unknown parameter sslmod/ },
    ];
    for (const { url, status, says } of cases) {
      const answer = await use(url, true);
      expect(answer.status, answer.text).toBe(status);
      const message = (JSON.parse(answer.text) as { error: { message: string } }).error.message;
      expect(message, url).toMatch(says);
      expect(message.split('\n')).toHaveLength(1);
      expect(answer.text).not.toContain(OWNER_PASSWORD);
    }
    expect(choiceFiles()).toEqual([]);
    expect((await databaseView()).kind).toBe('built-in');
    // nothing was created in the empty database
    expect(
      await pair.query(
        pair.primary,
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
        'fresh',
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('a copy that fails half-way leaves the node on its built-in database exactly as it was', async () => {
    const before = await countRows(await builtInUrl(), STABLE_TABLES);
    const answer = await use(ownerUrl('conflict'), true);
    expect(answer.status, answer.text).toBe(202);
    const change = await outcome();
    expect(change).toMatchObject({ operation: 'use', outcome: 'failed' });
    expect(change.message).toMatch(
      /copying the data failed at table shared_secret: duplicate key .*stays on its built-in database/,
    );
    expect(change.message).not.toContain(OWNER_PASSWORD);
    await pollUntil(async () => (await fetch(`${node.url}/api/health`)).ok, { timeoutMs: 60_000, what: 'the node back' });
    expect((await databaseView()).kind).toBe('built-in');
    expect(choiceFiles()).toEqual([]);
    expect(await countRows(await builtInUrl(), STABLE_TABLES)).toEqual(before);
    // the tables copied before the conflict were rolled back with it
    expect(await countRows(ownerUrl('conflict'), ['app_user', 'api_token', 'shared_secret', 'cluster_event'])).toEqual({
      app_user: 0,
      api_token: 0,
      shared_secret: 1,
      cluster_event: 0,
    });
  });

  it('copies every row into the new database, verifies the counts and restarts on it (orchctl database use)', async () => {
    const source = await builtInUrl();
    const before = await countRows(source, [...STABLE_TABLES, 'cluster_event', 'audit_entry']);
    const lastAudit = Number(
      (await withClient(source, (client) => client.query('SELECT max(id) AS id FROM audit_entry'))).rows[0].id,
    );
    const token = JSON.parse(
      await (
        await fetch(`${node.url}/api/tokens`, {
          method: 'POST',
          headers: { authorization: ROOT, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'kept' }),
        })
      ).text(),
    ) as { token: string };
    before.api_token += 1;

    const result = await runOrchctl(['database', 'use', '--url', node.url, '--copy-data', '--yes'], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
      ORCH_TEST_DATABASE_URL: ownerUrl('fresh'),
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/every check passed/);
    expect(result.stdout).toMatch(/rows in \d+ tables copied, every count verified/);
    expect(result.stdout + result.stderr).not.toContain(OWNER_PASSWORD);

    const view = await databaseView();
    expect(view).toMatchObject({
      kind: 'external',
      url: `postgresql://owner:***@127.0.0.1:${pair.primary.port}/fresh`,
      reachable: true,
    });
    const after = await countRows(ownerUrl('fresh'), [...STABLE_TABLES, 'cluster_event', 'audit_entry']);
    for (const table of STABLE_TABLES) expect(after[table], table).toBe(before[table]);
    expect(after.cluster_event).toBeGreaterThanOrEqual(before.cluster_event);
    expect(
      Number(
        (
          await withClient(ownerUrl('fresh'), (client) =>
            client.query('SELECT count(*) AS n FROM audit_entry WHERE id <= $1', [lastAudit]),
          )
        ).rows[0].n,
      ),
    ).toBe(before.audit_entry);
    // the users, the token and the run history work on the new database
    expect(
      (await fetch(`${node.url}/api/me`, { headers: { authorization: basicAuth('carol', 'carol-password-1') } })).status,
    ).toBe(200);
    expect((await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(200);
    const runs = (await (await fetch(`${node.url}/api/runs`, { headers: { authorization: ROOT } })).json()) as {
      status: string;
    }[];
    expect(runs.map((run) => run.status)).toEqual(['COMPLETED']);
    // new rows continue after the copied ids
    await pollUntil(
      async () =>
        Number(
          (await withClient(ownerUrl('fresh'), (client) => client.query('SELECT max(id) AS id FROM audit_entry'))).rows[0].id,
        ) > lastAudit,
      { what: 'a new audit entry' },
    );

    // the URL is kept in the data directory, private; the password is in no process argument and no audit entry
    const file = path.join(node.dataDir, 'database-url');
    expect(readFileSync(file, 'utf8').trim()).toBe(ownerUrl('fresh'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const pid of processTree(node.pid)) expect(commandLineOf(pid)).not.toContain(OWNER_PASSWORD);
    const audit = await withClient(ownerUrl('fresh'), async (client) =>
      (await client.query('SELECT row_to_json(a)::text AS row FROM audit_entry a')).rows.map((row) => row.row as string),
    );
    expect(audit.join('\n')).toContain('/api/database/use');
    expect(audit.join('\n')).not.toContain(OWNER_PASSWORD);
    expect(node.output()).not.toContain(OWNER_PASSWORD);

    // on an external database, Use is refused (that is Move)
    const again = await use(ownerUrl('fresh'), false);
    expect(again.status, again.text).toBe(409);
  });

  it('the node stays on the new database when its launcher starts again', async () => {
    await node.stop();
    node = await startNode({ name: 'solo', dataDir: node.dataDir, port: node.port });
    expect((await databaseView()).kind).toBe('external');
  });
});
