/**
 * *Move the whole cluster* on three real nodes and a real PostgreSQL: a password rotation. The
 * database role's password is changed with ALTER ROLE (from then on the old one is refused),
 * `orchctl database move` has every node test the new URL, then the rolling reset switches the
 * nodes one at a time while an active node holds a lease throughout. Afterwards every session
 * of the role was opened after the rotation (pg_stat_activity), so none uses the old password,
 * and the cluster works. A URL that fails on the nodes, or leads to another database, is refused
 * with one line and no node switches.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { clusterStatus, ROOT, seedCluster, startNodes } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { commandLineOf, processTree } from '../helpers/processes';
import { pollUntil } from '../helpers/poll';

const OLD_PASSWORD = `old-${Math.random().toString(36).slice(2)}`;
const NEW_PASSWORD = `new-${Math.random().toString(36).slice(2)}`;
const ROLE = `mover_${Math.random().toString(36).slice(2, 8)}`;
const DATABASE = `moved_${Math.random().toString(36).slice(2, 8)}`;
const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };

let serverUrl: string;
let nodes: NodeProcess[];

/** the cluster's database as ROLE with PASSWORD (and as the server's superuser without arguments) */
function databaseUrl(password?: string, database = DATABASE): string {
  const url = new URL(serverUrl);
  if (password !== undefined) {
    url.username = ROLE;
    url.password = password;
  }
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer(sql: string): Promise<void> {
  await withClient(databaseUrl(undefined, 'postgres'), (client) => client.query(sql));
}

async function move(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${nodes[0].url}/api/database/move`, {
    method: 'POST',
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  return { status: response.status, text: await response.text() };
}

const stagedFiles = () => nodes.filter((node) => existsSync(path.join(node.dataDir, 'database-url.next')));

beforeAll(async () => {
  serverUrl = inject('postgresUrl');
  await onServer(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${OLD_PASSWORD}'`);
  await onServer(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
  await onServer(`CREATE DATABASE ${DATABASE}_other OWNER ${ROLE}`);
  await applyMigrations(databaseUrl(OLD_PASSWORD));
  await seedCluster(databaseUrl(OLD_PASSWORD), { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl(OLD_PASSWORD), 3, 'mv');
  await pollUntil(async () => (await clusterStatus(nodes[0])).nodes.filter((node) => node.activeFingerprint).length === 3, {
    timeoutMs: 60_000,
    what: 'three nodes reporting',
  });
  // the rolling reset follows the cluster's configuration reference: there is one
  const push = await runOrchctl(['push', '--url', nodes[0].url], AS_ROOT);
  expect(push.code, push.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await stopAllNodes();
  await onServer(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => {});
  await onServer(`DROP DATABASE IF EXISTS ${DATABASE}_other WITH (FORCE)`).catch(() => {});
  await onServer(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => {});
});

describe('Move the whole cluster', () => {
  it('refuses a URL the nodes cannot use, or one leading to another database, and no node switches', async () => {
    const wrong = await move(databaseUrl('not-the-password'));
    expect(wrong.status, wrong.text).toBe(422);
    expect(JSON.parse(wrong.text).error.message).toMatch(/reachable check failed: .*wrong password/);
    const elsewhere = await move(databaseUrl(OLD_PASSWORD, `${DATABASE}_other`));
    expect(elsewhere.status, elsewhere.text).toBe(422);
    expect(JSON.parse(elsewhere.text).error.message).toMatch(/does not hold this cluster \(it holds no cluster\)/);
    for (const answer of [wrong, elsewhere]) expect(answer.text).not.toContain(OLD_PASSWORD);
    expect(stagedFiles()).toEqual([]);
    expect(nodes.filter((node) => existsSync(path.join(node.dataDir, 'database-url')))).toEqual([]);
  });

  it('rotates the password: every node tests it, they switch one at a time, an active node throughout', async () => {
    const rotatedAt = (await withClient(databaseUrl(), (client) => client.query<{ now: Date }>('SELECT now()'))).rows[0].now;
    await onServer(`ALTER ROLE ${ROLE} PASSWORD '${NEW_PASSWORD}'`);
    // from now on the old password is refused
    const old = new pg.Client({ connectionString: databaseUrl(OLD_PASSWORD) });
    await expect(old.connect()).rejects.toThrow(/password authentication failed/);

    // an active lease at every moment of the move, read straight from the database
    let sampling = true;
    const gaps: string[] = [];
    const sampler = (async () => {
      await withClient(databaseUrl(), async (client) => {
        while (sampling) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM active_slot WHERE node_id IS NOT NULL AND lease_until > now()',
          );
          if (rows[0].n === 0) gaps.push(new Date().toISOString());
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      });
    })();

    const result = await runOrchctl(['database', 'move', '--url', nodes[0].url, '--yes', '--timeout', '400'], {
      ...AS_ROOT,
      ORCH_TEST_DATABASE_URL: databaseUrl(NEW_PASSWORD),
    });
    sampling = false;
    await sampler;
    expect(result.code, result.stderr + result.stdout).toBe(0);
    // the standbys first, the coordinating node last
    expect(result.stdout).toMatch(/every node \((mv[23], ){2}mv1\) tested postgresql:\/\/mover_\w+:\*\*\*@/);
    expect(result.stdout).toMatch(/rolling reset #\d+ completed/);
    expect(result.stdout + result.stderr).not.toContain(NEW_PASSWORD);
    expect(gaps).toEqual([]);

    // each node keeps the new URL in its data directory (0600) and uses it
    for (const node of nodes) {
      const file = path.join(node.dataDir, 'database-url');
      expect(readFileSync(file, 'utf8').trim()).toBe(databaseUrl(NEW_PASSWORD));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      for (const pid of processTree(node.pid)) expect(commandLineOf(pid)).not.toContain(NEW_PASSWORD);
      expect(node.output()).not.toContain(NEW_PASSWORD);
    }
    expect(stagedFiles()).toEqual([]);

    // no session opened with the old password is left: every one of the role's began after the rotation
    const sessions = await withClient(
      databaseUrl(),
      async (client) =>
        (
          await client.query<{ started: Date }>('SELECT backend_start AS started FROM pg_stat_activity WHERE usename = $1', [
            ROLE,
          ])
        ).rows,
    );
    expect(sessions.length).toBeGreaterThan(2);
    for (const session of sessions) expect(session.started.getTime()).toBeGreaterThan(rotatedAt.getTime());

    // and the cluster works: three live members, one active, a fresh heartbeat from each
    await pollUntil(
      async () => {
        const status = await clusterStatus(nodes[0]);
        return (
          status.nodes.filter((node) => node.state === 'ACTIVE').length === 1 &&
          status.nodes.filter((node) => node.state === 'STANDBY').length === 2
        );
      },
      { timeoutMs: 60_000, what: 'one active node and two standbys after the move' },
    );
    const audit = await withClient(
      databaseUrl(),
      async (client) =>
        (await client.query(`SELECT row_to_json(a)::text AS row FROM audit_entry a WHERE path LIKE '/api/database/%'`)).rows,
    );
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
  });
});
