/**
 * Lock order of the writers of many workflow_run rows (lib/workflow/checkpoint-batch.ts, "Lock
 * order") on a real PostgreSQL: a checkpoint batch whose checkpoints come in an order of their
 * own runs again and again beside a writer of the same rows in one transaction (the hand-over of
 * a node's runs; a schedule's deletion, which unlinks its runs), and PostgreSQL never has to
 * break a deadlock (40P01) between them. Every run ends in one state only: completed once by the
 * batch, or handed over before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createDb } from '@/lib/db/client';
import { createTestDatabase, withClient } from '../helpers/database';
import { RunStore, type TCheckpoint, type TLease } from '@/lib/workflow/run-store';
import { deleteSchedule } from '@/lib/workflow/schedules';

const LEASE: TLease = { nodeId: randomUUID(), epoch: 3 };
/** runs per round: one full batch (MAX_BATCH) */
const RUNS = 64;
const ROUNDS = 40;

let databaseUrl: string;
/** the node's runner statements (the checkpoint batches) */
let runner: RunStore;
/** the other writer's own connections */
let writer: RunStore;
let db: PrismaClient;

async function query<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return withClient(databaseUrl, async (client) => (await client.query<T>(text, values)).rows);
}

/**
 * `RUNS` runs RUNNING and owned by the node, all of one new schedule, at scheduled times in an
 * order unrelated to their ids (the order a schedule's deletion visits them in).
 */
async function addRuns(): Promise<{ runs: string[]; scheduleId: string }> {
  const [{ id: scheduleId }] = await query<{ id: string }>(
    `INSERT INTO workflow_schedule (id, workflow_name, every_seconds, anchor_at, next_fire_at, created_by)
     VALUES (gen_random_uuid(), 'Locked', 60, now(), now() + interval '1 hour', 'test') RETURNING id`,
  );
  const rows = await query<{ id: string }>(
    `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by,
                               owner_node, owner_epoch, schedule_id, scheduled_for)
     SELECT gen_random_uuid(), 'Locked', 1, 'RUNNING', '{}', '{}', 'work', 'test', $2, $3, $4,
            now() - make_interval(secs => random() * 100000)
       FROM generate_series(1, $1)
     RETURNING id`,
    [RUNS, LEASE.nodeId, LEASE.epoch, scheduleId],
  );
  return { runs: rows.map((row) => row.id), scheduleId };
}

const completion = (runId: string): TCheckpoint => ({
  runId,
  status: 'COMPLETED',
  elementId: 'work',
  attempt: 1,
  variables: { done: true },
  events: [{ kind: 'COMPLETED', element_id: 'work', message: 'completed' }],
});

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Each round: the whole batch beside the other writer, started together; the errors either got. */
async function race(
  other: (round: { runs: string[]; scheduleId: string }) => Promise<unknown>,
): Promise<{ failures: string[]; scheduleIds: string[] }> {
  const failures: string[] = [];
  const scheduleIds: string[] = [];
  const record = (error: unknown) => failures.push(`${(error as { code?: string }).code ?? '?'} ${(error as Error).message}`);
  for (let round = 0; round < ROUNDS; round += 1) {
    const added = await addRuns();
    scheduleIds.push(added.scheduleId);
    // the checkpoints queued in an order of their own: one statement (one batch of RUNS)
    const batch = Promise.all(shuffled(added.runs).map((id) => runner.checkpoint(LEASE, completion(id)))).catch(record);
    await Promise.all([batch, other(added).catch(record)]);
  }
  return { failures, scheduleIds };
}

/** Every run of the node ended in one state: completed exactly once, or handed over uncompleted. */
async function expectConsistent(): Promise<void> {
  const rows = await query<{ status: string; owner_node: string | null; completed: number }>(
    `SELECT r.status, r.owner_node, (SELECT count(*)::int FROM workflow_run_event e WHERE e.run_id = r.id AND e.kind = 'COMPLETED') AS completed
       FROM workflow_run r WHERE r.workflow_name = 'Locked'`,
  );
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    if (row.status === 'COMPLETED') expect(row.completed).toBe(1);
    else
      expect({ status: row.status, owner: row.owner_node, completed: row.completed }).toEqual({
        status: 'RUNNING',
        owner: null,
        completed: 0,
      });
  }
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await query(`INSERT INTO cluster_node (id, name, url, version) VALUES ($1, 'locker', 'http://127.0.0.1:1', 'test')`, [
    LEASE.nodeId,
  ]);
  await query(`INSERT INTO active_slot (slot, node_id, epoch, lease_until) VALUES (910, $1, $2, now() + interval '1 hour')`, [
    LEASE.nodeId,
    LEASE.epoch,
  ]);
  runner = new RunStore(databaseUrl, 4);
  writer = new RunStore(databaseUrl, 2);
  db = createDb(databaseUrl, { max: 2 });
});

afterAll(async () => {
  await runner?.close();
  await writer?.close();
  await db?.$disconnect();
});

describe('writers of many runs lock them in one order', () => {
  it('a checkpoint batch and the hand-over of the same runs never deadlock', async () => {
    const { failures } = await race(() => writer.handOver(LEASE, 'lock-order test'));
    expect(failures).toEqual([]);
    await expectConsistent();
  });

  it("a checkpoint batch and a schedule's deletion (which unlinks its runs) never deadlock", async () => {
    const { failures, scheduleIds } = await race(({ scheduleId }) => deleteSchedule(db, scheduleId));
    expect(failures).toEqual([]);
    await expectConsistent();
    const [{ linked }] = await query<{ linked: number }>(
      `SELECT (SELECT count(*)::int FROM workflow_run WHERE schedule_id = ANY($1::uuid[])) + (SELECT count(*)::int FROM workflow_schedule WHERE id = ANY($1::uuid[])) AS linked`,
      [scheduleIds],
    );
    expect(linked).toBe(0);
  });
});
