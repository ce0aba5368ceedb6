/**
 * Retention of the shared records on a real node: audit entries and cluster events past their
 * limits, finished notification deliveries, configuration versions beyond the newest N and file
 * contents nothing names any more are deleted by the active node; what is within the limits stays.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health } from '../helpers/cluster';
import { api } from '../helpers/http';

let node: NodeProcess;
let databaseUrl: string;

const call = (route: string, method: string, body?: unknown) => api<Record<string, unknown>>(node, route, { method, body });
const count = (sql: string) => withClient(databaseUrl, async (client) => (await client.query(sql)).rows[0].n as number);

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl, name: 'keeper' });
  await pollUntil(async () => (await health(node))?.state === 'ACTIVE', { what: 'the node active' });
});
afterAll(stopAllNodes);

describe('retention', () => {
  it('rejects a limit out of range, naming the setting, and changes nothing', async () => {
    const refused = await call('/api/config/settings', 'PUT', { configVersionsKept: 0 });
    expect(refused.status).toBe(400);
    expect((refused.body.error as { field: string }).field).toBe('configVersionsKept');
    const settings = await call('/api/config/settings', 'GET');
    expect((settings.body.onDisk as { configVersionsKept: number }).configVersionsKept).toBe(20);
  });

  it('prunes audit entries, events, deliveries, old configuration versions and unnamed files by the server settings', async () => {
    // five configuration versions: one real push, then four more of the same document (as repeated pushes with reset make)
    expect((await call('/api/config/settings', 'PUT', { runRetentionDays: 11 })).status).toBe(200);
    const pushed = await call('/api/config/push', 'POST', {});
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
    await withClient(databaseUrl, (client) =>
      client.query(`INSERT INTO config_version (fingerprint, document, files, pushed_by, pushed_from_node, pushed_from_name)
                    SELECT fingerprint, document, files, pushed_by, pushed_from_node, pushed_from_name FROM config_version, generate_series(1, 4) WHERE version = 1`),
    );
    // the node takes the newest version as its reference before its own settings change below
    await pollUntil(
      async () => (await count(`SELECT coalesce(max(applied_config_version), 0)::int AS n FROM cluster_node`)) === 5,
      { what: 'version 5 applied' },
    );
    const nodeId = (await health(node))!.nodeId as string;
    await withClient(databaseUrl, async (client) => {
      await client.query(
        `INSERT INTO audit_entry (at, actor, method, path, status) VALUES (now() - interval '40 days', 'old', 'PUT', '/x', 200), (now() - interval '2 days', 'recent', 'PUT', '/x', 200)`,
      );
      await client.query(
        `INSERT INTO cluster_event (at, kind, node_id) VALUES (now() - interval '40 days', 'LATE', $1), (now() - interval '2 days', 'RECOVERED', $1)`,
        [nodeId],
      );
      await client.query(
        `INSERT INTO notification_target (id, name, kind, url, events) VALUES ($1, 'old-hook', 'WEBHOOK', 'http://127.0.0.1:1/x', '{}')`,
        [randomUUID()],
      );
      await client.query(
        `INSERT INTO notification_delivery (id, target_id, kind, created_at, status)
         SELECT gen_random_uuid(), id, 'TEST', now() - interval '40 days', 'DELIVERED' FROM notification_target WHERE name = 'old-hook'`,
      );
      await client.query(
        `INSERT INTO config_blob (sha256, content, created_at) VALUES ('${'a'.repeat(64)}', 'x', now() - interval '2 days'), ('${'b'.repeat(64)}', 'y', now())`,
      );
    });
    expect(await count(`SELECT count(*)::int AS n FROM config_version`)).toBe(5);

    const saved = await call('/api/config/settings', 'PUT', {
      auditRetentionDays: 30,
      eventRetentionDays: 30,
      configVersionsKept: 2,
    });
    expect(saved.status).toBe(200);
    await pollUntil(async () => (await count(`SELECT count(*)::int AS n FROM config_version`)) === 2, {
      timeoutMs: 30_000,
      what: 'old configuration versions pruned',
    }).catch((error) => {
      throw new Error(
        `${String(error)}\n${node
          .output()
          .split('\n')
          .filter((line) => line.includes('retention'))
          .join('\n')}`,
      );
    });
    expect(await count(`SELECT max(version)::int AS n FROM config_version`)).toBe(5);
    expect(await count(`SELECT count(*)::int AS n FROM audit_entry WHERE actor = 'old'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM audit_entry WHERE actor = 'recent'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM cluster_event WHERE at < now() - interval '30 days'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM cluster_event WHERE kind = 'RECOVERED'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM notification_delivery`)).toBe(0);
    // an unnamed file older than the grace period goes; one just written (a push in progress) stays
    expect(await count(`SELECT count(*)::int AS n FROM config_blob WHERE sha256 = '${'a'.repeat(64)}'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM config_blob WHERE sha256 = '${'b'.repeat(64)}'`)).toBe(1);
    // the reference is untouched: the cluster still reports it
    const status = await call('/api/cluster', 'GET');
    expect((status.body.reference as { version: number }).version).toBe(5);
  });
});
