/**
 * Long histories stay readable: the runs list pages with a cursor (each page starts after the
 * last run of the one before, whatever was started meanwhile), and the page of a run with more
 * events than it shows gives the latest ones and says how many earlier ones it leaves out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster } from '../helpers/cluster';

const RUNS = 250;
const EVENTS = 6_000;

let databaseUrl: string;
let node: NodeProcess;

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${node.url}${path}`, { headers: { authorization: ROOT } });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  node = await startNode({ databaseUrl, name: 'pager' });
  await pollUntil(async () => (await health(node))?.state === 'ACTIVE', { what: 'the node to be active' });
  // finished runs a second apart, newest last, as a long-lived cluster has them
  await withClient(databaseUrl, (client) =>
    client.query(
      `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, created_at, finished_at)
       SELECT gen_random_uuid(), 'Paged', 1, 'COMPLETED', '{}', '{}', 'work', 'test', now() - make_interval(secs => $1 - g), now()
         FROM generate_series(1, $1) g`,
      [RUNS],
    ),
  );
});

afterAll(stopAllNodes);

describe('runs list and run page on long histories', () => {
  it('walks every run exactly once, page by page, newest first', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { status, body } = await get<{ id: string; startedAt?: string }[]>(
        `/api/runs?workflow=Paged&limit=100${before ? `&before=${before}` : ''}`,
      );
      expect(status).toBe(200);
      seen.push(...body.map((run) => run.id));
      if (body.length < 100) break;
      before = body[body.length - 1].id;
    }
    expect(seen).toHaveLength(RUNS);
    expect(new Set(seen).size).toBe(RUNS);
    const order = await withClient(databaseUrl, async (client) =>
      (
        await client.query<{ id: string }>(
          `SELECT id FROM workflow_run WHERE workflow_name = 'Paged' ORDER BY created_at DESC, id DESC`,
        )
      ).rows.map((row) => row.id),
    );
    expect(seen).toEqual(order);
  });

  it('refuses a cursor that is not a run, naming the parameter', async () => {
    const { status, body } = await get<{ error: { message: string } }>(`/api/runs?before=00000000-0000-4000-8000-000000000000`);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/^before: no run has the id/);
    const malformed = await get<{ error: { message: string } }>(`/api/runs?before=yesterday`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/before must be a run id/);
  });

  it('shows the latest events of a run longer than the page, and how many earlier ones it leaves out', async () => {
    const id = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM workflow_run WHERE workflow_name = 'Paged' ORDER BY created_at LIMIT 1`,
      );
      await client.query(
        `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, message)
         SELECT $1, 'ELEMENT', 'work', 1, 'step ' || g FROM generate_series(1, $2) g`,
        [rows[0].id, EVENTS],
      );
      return rows[0].id;
    });
    const { status, body } = await get<{ events: { message: string | null }[]; earlierEvents: number }>(`/api/runs/${id}`);
    expect(status).toBe(200);
    expect(body.events).toHaveLength(5_000);
    expect(body.earlierEvents).toBe(EVENTS - 5_000);
    expect(body.events.at(-1)?.message).toBe(`step ${EVENTS}`);
    expect(body.events[0].message).toBe(`step ${EVENTS - 5_000 + 1}`);
  });
});
