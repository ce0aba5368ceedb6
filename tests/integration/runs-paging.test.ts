/**
 * Long histories stay readable: the runs list pages with a cursor (each page starts after the
 * last run of the one before, whatever was started meanwhile) and, with each filter it offers,
 * gives every matching run exactly once, in order, runs started in the same millisecond included;
 * the page of a run with more events (or server-log lines) than it shows gives the latest ones
 * and says how many earlier events it leaves out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_PAGE_EVENTS, RUN_PAGE_LOG_LINES } from '@/lib/workflow/limits';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster } from '../helpers/cluster';

const RUNS = 250;
const EVENTS = RUN_PAGE_EVENTS + 1_500;
const LOG_LINES = RUN_PAGE_LOG_LINES + 1_000;

let databaseUrl: string;
let node: NodeProcess;
let nodeId: string;
let otherNodeId: string;
let scheduleId: string;

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${node.url}${path}`, { headers: { authorization: ROOT } });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  node = await startNode({ databaseUrl, name: 'pager' });
  await pollUntil(async () => (await health(node))?.state === 'ACTIVE', { what: 'the node to be active' });
  // finished runs, three at a time in the same millisecond (the cursor breaks ties on the id),
  // newest last, as a long-lived cluster has them: of two workflows, some failed, some fired by a
  // schedule, executed by this node, another member, both or neither, a few owned by the other
  await withClient(databaseUrl, async (client) => {
    nodeId = (await client.query<{ id: string }>(`SELECT id FROM cluster_node WHERE name = 'pager'`)).rows[0].id;
    otherNodeId = (
      await client.query<{ id: string }>(
        `INSERT INTO cluster_node (id, name, url, version) VALUES (gen_random_uuid(), 'other', 'http://other:3000', '0.1.0') RETURNING id`,
      )
    ).rows[0].id;
    scheduleId = (
      await client.query<{ id: string }>(
        `INSERT INTO workflow_schedule (id, workflow_name, every_seconds, paused, anchor_at, next_fire_at, created_by)
         VALUES (gen_random_uuid(), 'Paged', 60, true, now(), now(), 'test') RETURNING id`,
      )
    ).rows[0].id;
    await client.query(
      `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, created_at, finished_at,
                                 owner_node, schedule_id, scheduled_for)
       SELECT gen_random_uuid(), CASE WHEN g % 4 = 0 THEN 'Paged Other' ELSE 'Paged' END, 1,
              CASE WHEN g % 5 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, '{}', '{}', 'work', 'test',
              date_trunc('second', now()) - make_interval(secs => ($1 - g) / 3), now(),
              CASE WHEN g % 50 = 1 THEN $2::uuid END,
              CASE WHEN g % 6 = 0 THEN $3::uuid END, CASE WHEN g % 6 = 0 THEN now() + make_interval(secs => g) END
         FROM generate_series(1, $1) g`,
      [RUNS, otherNodeId, scheduleId],
    );
    await client.query(
      `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
       SELECT id, 'ELEMENT', 'work', 1, $1, 1, 'work' FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM workflow_run) r WHERE g % 3 = 0`,
      [nodeId],
    );
    await client.query(
      `INSERT INTO workflow_run_event (run_id, kind, element_id, attempt, node_id, epoch, message)
       SELECT id, 'RESUMED', 'work', 2, $1, 2, 'taken over' FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM workflow_run) r WHERE g % 7 = 0`,
      [otherNodeId],
    );
  });
});

afterAll(stopAllNodes);

describe('runs list and run page on long histories', () => {
  /** Every page of `/api/runs?FILTER` in turn, each starting after the last run of the one before. */
  async function walk(filter: string, limit: number): Promise<{ id: string; lastNodeId: string | null }[]> {
    const seen: { id: string; lastNodeId: string | null }[] = [];
    let before: string | undefined;
    for (let pages = 0; pages <= RUNS; pages += 1) {
      const { status, body } = await get<{ id: string; lastNodeId: string | null }[]>(
        `/api/runs?limit=${limit}${filter}${before ? `&before=${before}` : ''}`,
      );
      expect(status, JSON.stringify(body)).toBe(200);
      seen.push(...body);
      if (body.length < limit) return seen;
      before = body[body.length - 1].id;
    }
    throw new Error(`/api/runs?${filter} did not end within ${RUNS} pages`);
  }

  it('walks every run exactly once, page by page, newest first, with each filter', async () => {
    const filters: [string, string, unknown[]][] = [
      ['', 'true', []],
      ['&status=FAILED', `status = 'FAILED'`, []],
      ['&workflow=Paged', `workflow_name = 'Paged'`, []],
      ['&workflow=Paged&status=COMPLETED', `workflow_name = 'Paged' AND status = 'COMPLETED'`, []],
      ['&schedule=SCHEDULE', 'schedule_id = $1', ['SCHEDULE']],
      [
        '&node=NODE',
        'owner_node = $1 OR EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.run_id = r.id AND e.node_id = $1)',
        ['NODE'],
      ],
      [
        '&node=OTHER',
        'owner_node = $1 OR EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.run_id = r.id AND e.node_id = $1)',
        ['OTHER'],
      ],
      [
        '&node=OTHER&status=COMPLETED',
        `status = 'COMPLETED' AND (owner_node = $1 OR EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.run_id = r.id AND e.node_id = $1))`,
        ['OTHER'],
      ],
    ];
    const fill = (text: string) => text.replace('SCHEDULE', scheduleId).replace('NODE', nodeId).replace('OTHER', otherNodeId);
    for (const [template, where, parameters] of filters) {
      const filter = fill(template);
      const expected = await withClient(databaseUrl, async (client) =>
        (
          await client.query<{ id: string }>(
            `SELECT id FROM workflow_run r WHERE ${where} ORDER BY created_at DESC, id DESC`,
            parameters.map((parameter) => fill(String(parameter))),
          )
        ).rows.map((row) => row.id),
      );
      expect(expected.length, `runs matching ${template}`).toBeGreaterThan(10);
      // pages of 7 split the runs that share a millisecond across pages; pages of 100 as the console asks
      for (const limit of [7, 100]) {
        const seen = (await walk(filter, limit)).map((run) => run.id);
        expect(new Set(seen).size, `${template}, pages of ${limit}`).toBe(seen.length);
        expect(seen, `${template}, pages of ${limit}`).toEqual(expected);
      }
    }
  });

  it("names each run's last executor: the node of its latest event", async () => {
    const listed = await walk('', 100);
    const expected = await withClient(databaseUrl, async (client) =>
      Object.fromEntries(
        (
          await client.query<{ run_id: string; node_id: string }>(
            `SELECT DISTINCT ON (run_id) run_id, node_id FROM workflow_run_event WHERE node_id IS NOT NULL ORDER BY run_id, id DESC`,
          )
        ).rows.map((row) => [row.run_id, row.node_id]),
      ),
    );
    expect(listed.filter((run) => run.lastNodeId === otherNodeId).length).toBeGreaterThan(0);
    for (const run of listed) expect(run.lastNodeId, run.id).toBe(expected[run.id] ?? null);
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
        `SELECT id FROM workflow_run r WHERE workflow_name = 'Paged' AND NOT EXISTS (SELECT 1 FROM workflow_run_event e WHERE e.run_id = r.id)
          ORDER BY created_at, id LIMIT 1`,
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
    expect(body.events).toHaveLength(RUN_PAGE_EVENTS);
    expect(body.earlierEvents).toBe(EVENTS - RUN_PAGE_EVENTS);
    expect(body.events.at(-1)?.message).toBe(`step ${EVENTS}`);
    expect(body.events[0].message).toBe(`step ${EVENTS - RUN_PAGE_EVENTS + 1}`);
  });

  it('shows the latest server-log lines of a run that logged more than the page holds', async () => {
    const id = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM workflow_run WHERE workflow_name = 'Paged Other' ORDER BY created_at, id LIMIT 1`,
      );
      await client.query(
        `INSERT INTO workflow_log_entry (run_id, level, message, element_id)
         SELECT $1, 'info', 'line ' || g, 'work' FROM generate_series(1, $2) g ORDER BY g`,
        [rows[0].id, LOG_LINES],
      );
      return rows[0].id;
    });
    const { status, body } = await get<{ message: string }[]>(`/api/runs/${id}/logs`);
    expect(status).toBe(200);
    expect(body).toHaveLength(RUN_PAGE_LOG_LINES);
    expect(body.at(-1)?.message).toBe(`line ${LOG_LINES}`);
    expect(body[0].message).toBe(`line ${LOG_LINES - RUN_PAGE_LOG_LINES + 1}`);
  });
});
