/**
 * /api/metrics with the metrics token from the data directory: the node's own series while the
 * shared database is down, the cluster-wide ones (per-member heartbeat age, clock skew, build
 * info) while it is up; promtool accepts both outputs.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from '../helpers/poll';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, seedCluster, startNodes } from '../helpers/cluster';
import { runPromtool } from '../helpers/promtool';

let database: TBuiltInDatabase | undefined;
let databaseDir: string;
let nodes: NodeProcess[];

const tokenOf = async (node: NodeProcess) => (await readFile(path.join(node.dataDir, 'metrics-token'), 'utf8')).trim();
const scrape = async (node: NodeProcess, token: string) => {
  const started = performance.now();
  const response = await fetch(`${node.url}/api/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(8_000),
  });
  return { status: response.status, text: await response.text(), ms: performance.now() - started };
};
const value = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${series} `))
      ?.split(' ')[1],
  );

beforeAll(async () => {
  databaseDir = await mkdtemp(path.join(os.tmpdir(), 'orch-metrics-db-'));
  database = await startBuiltInDatabase({ dataDir: databaseDir, port: await findFreePort() });
  await applyMigrations(database.url);
  await seedCluster(database.url, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(database.url, 2);
  await pollUntil(async () => (await health(nodes[0]))?.state === 'ACTIVE' && (await health(nodes[1]))?.state === 'STANDBY', {
    what: 'n1 active, n2 standby',
  });
});

afterAll(async () => {
  await stopAllNodes();
  await database?.stop();
  if (databaseDir) await rm(databaseDir, { recursive: true, force: true });
});

describe('/api/metrics with the metrics token', () => {
  it('creates DATA_DIR/metrics-token at first start, readable by its owner only', async () => {
    const info = await stat(path.join(nodes[0].dataDir, 'metrics-token'));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await tokenOf(nodes[0])).length).toBeGreaterThanOrEqual(32);
  });

  it('serves cluster-wide series (per-member heartbeat age and clock skew, build info) that promtool accepts', async () => {
    const token = await tokenOf(nodes[1]);
    const { status, text } = await pollUntil(
      async () => {
        const result = await scrape(nodes[1], token);
        return value(result.text, 'orch_cluster_metrics_up') === 1 &&
          /^orch_cluster_node_clock_skew_seconds\{node="n2"\} /m.test(result.text)
          ? result
          : undefined;
      },
      { what: 'a scrape with the cluster-wide series' },
    );
    expect(status).toBe(200);
    expect(value(text, 'orch_cluster_node_state{node="n1",state="ACTIVE"}')).toBe(1);
    expect(value(text, 'orch_cluster_active_nodes')).toBe(1);
    expect(value(text, 'orch_cluster_node_heartbeat_age_seconds{node="n1"}')).toBeLessThan(2);
    expect(value(text, 'orch_cluster_node_heartbeat_age_seconds{node="n2"}')).toBeLessThan(2);
    expect(text).toMatch(/^orch_cluster_node_clock_skew_seconds\{node="n2"\} /m);
    expect(text).toMatch(/^orch_build_info\{version="[^"]+",node="n2",node_id="[0-9a-f-]+"\} 1$/m);
    expect(value(text, 'orch_rollout_failures_total')).toBe(0);
    const checked = await runPromtool(['check', 'metrics'], text);
    expect(checked.code, checked.output).toBe(0);
  });

  it('refuses a wrong token and no token', async () => {
    expect((await scrape(nodes[0], 'not-the-token')).status).toBe(401);
    expect((await fetch(`${nodes[0].url}/api/metrics`)).status).toBe(401);
    // one node's token is not another's
    expect((await scrape(nodes[0], await tokenOf(nodes[1]))).status).toBe(401);
  });

  it("keeps answering with the node's own series while the database is down", async () => {
    const tokens = await Promise.all(nodes.map(tokenOf));
    await database!.stop();
    database = undefined;
    const down = await pollUntil(
      async () => {
        const result = await scrape(nodes[0], tokens[0]);
        return result.status === 200 && value(result.text, 'orch_database_reachable') === 0 ? result : undefined;
      },
      { timeoutMs: 15_000, what: 'n1 to report the database unreachable' },
    );
    expect(value(down.text, 'orch_cluster_metrics_up')).toBe(0);
    expect(down.text).not.toContain('orch_cluster_node_state');
    expect(down.text).toMatch(/^orch_build_info\{/m);
    // the active node fences itself within the window (2 s); its metrics say so
    const fenced = await pollUntil(
      async () => {
        const result = await scrape(nodes[0], tokens[0]);
        return value(result.text, 'orch_node_local_state{state="FENCED"}') === 1 ? result : undefined;
      },
      { timeoutMs: 15_000, what: 'n1 fenced in its metrics' },
    );
    expect(fenced.ms).toBeLessThan(5_000);
    // the age of the last accepted heartbeat keeps growing
    const age = value(fenced.text, 'orch_node_last_heartbeat_age_seconds');
    await pollUntil(
      async () => value((await scrape(nodes[0], tokens[0])).text, 'orch_node_last_heartbeat_age_seconds') > age + 1,
      { what: 'the heartbeat age to grow' },
    );
    const standby = await scrape(nodes[1], tokens[1]);
    expect(standby.status).toBe(200);
    expect(value(standby.text, 'orch_database_reachable')).toBe(0);
    const checked = await runPromtool(['check', 'metrics'], standby.text);
    expect(checked.code, checked.output).toBe(0);
  });
});
