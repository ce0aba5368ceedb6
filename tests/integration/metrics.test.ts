/** Prometheus metrics from real nodes: cluster and node state, epoch, heartbeat latency, runs, sync state. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster, startNodes } from '../helpers/cluster';

let nodes: NodeProcess[];

const scrape = async (node: NodeProcess) => {
  const response = await fetch(`${node.url}/api/metrics`, { headers: { authorization: ROOT } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};
const value = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${series} `))
      ?.split(' ')[1],
  );

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await health(nodes[0]))?.state === 'ACTIVE' && (await health(nodes[1]))?.state === 'STANDBY', {
    what: 'n1 active, n2 standby',
  });
});
afterAll(stopAllNodes);

describe('/api/metrics', () => {
  it('reports states, epoch, heartbeat latency, sync state and runs in Prometheus text format', async () => {
    const text = await pollUntil(
      async () => {
        const scraped = await scrape(nodes[1]);
        return value(scraped, 'orch_heartbeat_duration_seconds_count') >= 3 ? scraped : undefined;
      },
      { what: 'a few heartbeats observed' },
    );
    expect(value(text, 'orch_cluster_node_state{node="n1",state="ACTIVE"}')).toBe(1);
    expect(value(text, 'orch_cluster_node_state{node="n2",state="STANDBY"}')).toBe(1);
    expect(value(text, 'orch_node_local_state{state="STANDBY"}')).toBe(1);
    expect(value(text, 'orch_cluster_epoch')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'orch_slot_changes_total{kind="BECAME_ACTIVE"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'orch_config_sync_state{node="n2",state="IN_SYNC"}')).toBe(1);
    expect(value(text, 'orch_workflow_runs{status="COMPLETED"}')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE orch_checkpoint_duration_seconds histogram');
    expect(value(await scrape(nodes[0]), 'orch_node_local_state{state="ACTIVE"}')).toBe(1);
  });

  it('needs a signed-in user or an API token', async () => {
    expect((await fetch(`${nodes[0].url}/api/metrics`)).status).toBe(401);
  });
});
