/**
 * Checkpoints of many runs written in one statement (lib/workflow/checkpoint-batch.ts) on a real
 * PostgreSQL: every checkpoint of the batch is fenced as a single one is (the lease check
 * `orch_lease_held`, and the run owned by the node under the epoch), so a fenced node's batch
 * writes nothing; a checkpoint the database refuses fails only its own run; many runs completed
 * at once each complete exactly once, and each is answered with its own last event. The claim
 * that starts fresh runs itself (their first checkpoint in the claim statement) is fenced the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, withClient } from '../helpers/database';
import { RunStore, type TCheckpoint, type TLease } from '@/lib/workflow/run-store';

const LIVE: TLease = { nodeId: randomUUID(), epoch: 5 };
/** holds a slot whose lease ran out: fenced */
const FENCED: TLease = { nodeId: randomUUID(), epoch: 7 };
/** claims runs (last test): a live lease of its own */
const CLAIMER: TLease = { nodeId: randomUUID(), epoch: 9 };

let databaseUrl: string;
let store: RunStore;

async function query<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return withClient(databaseUrl, async (client) => (await client.query<T>(text, values)).rows);
}

/** `count` runs at element "work", RUNNING and owned by `owner` (under the epoch given). */
async function addRuns(count: number, owner: TLease): Promise<string[]> {
  const rows = await query<{ id: string }>(
    `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by, owner_node, owner_epoch)
     SELECT gen_random_uuid(), 'Batched', 1, 'RUNNING', '{}', '{}', 'work', 'test', $2, $3 FROM generate_series(1, $1)
     RETURNING id`,
    [count, owner.nodeId, owner.epoch],
  );
  return rows.map((row) => row.id);
}

const completion = (runId: string, variables: Record<string, unknown> = { done: true }): TCheckpoint => ({
  runId,
  status: 'COMPLETED',
  elementId: 'work',
  attempt: 1,
  variables,
  events: [
    { kind: 'ELEMENT', element_id: 'work', attempt: 1 },
    { kind: 'COMPLETED', element_id: 'work', message: 'completed' },
  ],
});

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await query(
    `INSERT INTO cluster_node (id, name, url, version) VALUES ($1, 'live', 'http://127.0.0.1:1', 'test'),
       ($2, 'fenced', 'http://127.0.0.1:2', 'test'), ($3, 'claimer', 'http://127.0.0.1:3', 'test')`,
    [LIVE.nodeId, FENCED.nodeId, CLAIMER.nodeId],
  );
  await query(
    `INSERT INTO active_slot (slot, node_id, epoch, lease_until) VALUES
       (900, $1, $2, now() + interval '1 hour'), (901, $3, $4, now() - interval '1 second'), (902, $5, $6, now() + interval '1 hour')`,
    [LIVE.nodeId, LIVE.epoch, FENCED.nodeId, FENCED.epoch, CLAIMER.nodeId, CLAIMER.epoch],
  );
  store = new RunStore(databaseUrl, 4);
});

afterAll(async () => {
  await store?.close();
});

describe('checkpoints written in batches', () => {
  it('completes many runs in one statement, each exactly once, and answers each with its own last event', async () => {
    const runs = await addRuns(40, LIVE);
    const saved = await Promise.all(runs.map((id) => store.checkpoint(LIVE, completion(id))));
    expect(saved.every((answer) => answer !== null && answer.step === 1)).toBe(true);

    const rows = await query<{ id: string; status: string; step: number; owner_node: string | null; writer: string }>(
      `SELECT id, status, step, owner_node, xmin::text AS writer FROM workflow_run WHERE id = ANY($1::uuid[])`,
      [runs],
    );
    expect(rows.every((row) => row.status === 'COMPLETED' && row.step === 1 && row.owner_node === null)).toBe(true);
    // written by one transaction: the checkpoints due together went in one statement
    expect(new Set(rows.map((row) => row.writer)).size).toBe(1);

    const completed = await query<{ run_id: string; id: string }>(
      `SELECT run_id, id::text AS id FROM workflow_run_event WHERE run_id = ANY($1::uuid[]) AND kind = 'COMPLETED'`,
      [runs],
    );
    expect(completed).toHaveLength(runs.length);
    const lastEvent = new Map(completed.map((event) => [event.run_id, event.id]));
    runs.forEach((id, index) => expect(saved[index]!.eventId).toBe(lastEvent.get(id)));

    // completing them again changes nothing: a finished run is nobody's
    const again = await Promise.all(runs.map((id) => store.checkpoint(LIVE, completion(id))));
    expect(again.every((answer) => answer === null)).toBe(true);
    const [{ count }] = await query<{ count: number }>(
      `SELECT count(*)::int AS count FROM workflow_run_event WHERE run_id = ANY($1::uuid[]) AND kind = 'COMPLETED'`,
      [runs],
    );
    expect(count).toBe(runs.length);
  });

  it("writes nothing for a fenced node's checkpoints, nor for a run owned under another epoch, and everything else", async () => {
    const mine = await addRuns(10, LIVE);
    const [olderEpoch] = await addRuns(1, { nodeId: LIVE.nodeId, epoch: LIVE.epoch - 1 });
    const fenced = await addRuns(5, FENCED);
    const saved = await Promise.all([
      ...mine.map((id) => store.checkpoint(LIVE, completion(id))),
      store.checkpoint(LIVE, completion(olderEpoch)),
      ...fenced.map((id) => store.checkpoint(FENCED, completion(id))),
    ]);
    expect(saved.slice(0, mine.length).every((answer) => answer !== null)).toBe(true);
    expect(saved.slice(mine.length)).toEqual(Array(1 + fenced.length).fill(null));

    const untouched = await query<{ status: string; step: number; events: number }>(
      `SELECT status, step, (SELECT count(*)::int FROM workflow_run_event e WHERE e.run_id = r.id) AS events
         FROM workflow_run r WHERE id = ANY($1::uuid[])`,
      [[olderEpoch, ...fenced]],
    );
    expect(untouched).toEqual(Array(1 + fenced.length).fill({ status: 'RUNNING', step: 0, events: 0 }));
  });

  it('refuses only the checkpoint the database refuses, and writes the others of its batch', async () => {
    const runs = await addRuns(6, LIVE);
    const refused = runs[2];
    const answers = await Promise.allSettled(
      // a NUL character cannot be stored in jsonb: the database refuses that checkpoint for good
      runs.map((id) => store.checkpoint(LIVE, completion(id, id === refused ? { text: 'a\u0000b' } : { done: true }))),
    );
    answers.forEach((answer, index) => {
      if (runs[index] === refused) {
        expect(answer.status).toBe('rejected');
        expect((answer as PromiseRejectedResult).reason).toMatchObject({ code: expect.stringMatching(/^22/) });
      } else expect(answer).toMatchObject({ status: 'fulfilled', value: { step: 1 } });
    });
    const rows = await query<{ id: string; status: string }>(`SELECT id, status FROM workflow_run WHERE id = ANY($1::uuid[])`, [
      runs,
    ]);
    for (const row of rows) expect(row.status).toBe(row.id === refused ? 'RUNNING' : 'COMPLETED');
  });

  it('starts fresh runs of the workflows named in the claim itself, under the lease check and epoch; a fenced claim writes nothing', async () => {
    const pending = async (count: number, elementId: string) =>
      (
        await query<{ id: string }>(
          `INSERT INTO workflow_run (id, workflow_name, workflow_version, status, inputs, variables, element_id, started_by)
           SELECT gen_random_uuid(), 'Started', 1, 'PENDING', '{}', '{}', $2, 'test' FROM generate_series(1, $1) RETURNING id`,
          [count, elementId],
        )
      ).map((row) => row.id);
    const fresh = await pending(3, 'work');
    // at another element than the one named: started by the runner's own checkpoint, not the claim
    const [elsewhere] = await pending(1, 'other');
    const starts = {
      nodeName: 'claimer',
      workflows: [{ name: 'Started', version: 1, elementId: 'work', details: { type: 'set' } }],
    };

    expect(await store.claim(FENCED, 100, [], starts)).toEqual([]);
    const before = await query<{ owner_node: string | null; step: number }>(
      `SELECT owner_node, step FROM workflow_run WHERE id = ANY($1::uuid[])`,
      [[...fresh, elsewhere]],
    );
    expect(before).toEqual(Array(4).fill({ owner_node: null, step: 0 }));

    const claimed = await store.claim(CLAIMER, 100, [], starts);
    const mine = claimed.filter((run) => run.workflowName === 'Started');
    expect(mine.map((run) => run.id).sort()).toEqual([...fresh, elsewhere].sort());
    for (const run of mine)
      expect(run).toMatchObject(run.id === elsewhere ? { started: false, step: 0 } : { started: true, step: 1, attempt: 1 });

    const events = await query<{
      run_id: string;
      kind: string;
      element_id: string | null;
      attempt: number | null;
      node_id: string;
      epoch: string;
      message: string | null;
      details: unknown;
    }>(
      `SELECT run_id, kind, element_id, attempt, node_id, epoch::text AS epoch, message, details FROM workflow_run_event
        WHERE run_id = ANY($1::uuid[]) ORDER BY id`,
      [[...fresh, elsewhere]],
    );
    for (const id of fresh)
      expect(events.filter((event) => event.run_id === id).map(({ run_id: _run, ...event }) => event)).toEqual([
        {
          kind: 'STARTED',
          element_id: null,
          attempt: null,
          node_id: CLAIMER.nodeId,
          epoch: '9',
          message: 'started on node claimer, epoch 9',
          details: {},
        },
        {
          kind: 'ELEMENT',
          element_id: 'work',
          attempt: 1,
          node_id: CLAIMER.nodeId,
          epoch: '9',
          message: null,
          details: { type: 'set' },
        },
      ]);
    expect(events.filter((event) => event.run_id === elsewhere)).toEqual([]);
    const rows = await query<{ status: string; owner_node: string; step: number; attempt: number }>(
      `SELECT status, owner_node, step, attempt FROM workflow_run WHERE id = ANY($1::uuid[])`,
      [fresh],
    );
    expect(rows).toEqual(Array(3).fill({ status: 'RUNNING', owner_node: CLAIMER.nodeId, step: 1, attempt: 1 }));
  });
});
