/**
 * A run set to wait on failure stops at the failed element as WAITING; an operator sets a
 * variable and resumes it (orchctl workflow resume); it goes on at the failed element, the
 * elements it completed before never run again, and the resume is audited and recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes, seedCluster, startNodes } from '../helpers/cluster';
import { createTestDatabase, withClient } from '../helpers/database';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { api, eventsOf, getRun, importDefinition, startRun, waitForStatus } from '../helpers/workflows';

const FRAGILE = {
  name: 'Fragile',
  onFailure: 'wait',
  elements: [
    { id: 'first', type: 'log', target: 'server', message: '"first ran"' },
    { id: 'needs', type: 'set', variable: 'result', expression: 'token + "!"' },
    { id: 'last', type: 'log', target: 'server', message: '"done " + result' },
  ],
};
const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];

let databaseUrl: string;
let node: NodeProcess;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 1_000, failoverHeartbeats: 3 });
  [node] = await startNodes(databaseUrl, 1);
  await pollUntil(async () => (await activeNodes([node])).length === 1, { what: 'an active node' });
  await importDefinition(node, FRAGILE);
}, 180_000);

afterAll(stopAllNodes);

async function serverLog(runId: string): Promise<string[]> {
  return withClient(databaseUrl, async (client) =>
    (
      await client.query<{ message: string }>('SELECT message FROM workflow_log_entry WHERE run_id = $1 ORDER BY id', [runId])
    ).rows.map((row) => row.message),
  );
}

describe('resuming a failed run', () => {
  it('waits at the failed element, resumes there with the edited variables, and never runs a completed element again', async () => {
    const runId = await startRun(node, 'Fragile');
    await waitForStatus(databaseUrl, [runId], 'WAITING');
    const waiting = await getRun(node, runId);
    expect(waiting).toMatchObject({ status: 'WAITING', elementId: 'needs', finishedAt: null, ownerNodeId: null });
    expect(waiting.error).toContain('unknown variable "token"');
    expect(await serverLog(runId)).toEqual(['first ran']);

    const resumed = await runOrchctl(['workflow', 'resume', '--url', node.url, ...asRoot, runId, '--set', 'token="abc"']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('resumed at element needs');
    await waitForStatus(databaseUrl, [runId], 'COMPLETED');

    const run = await getRun(node, runId);
    expect(run.variables).toMatchObject({ token: 'abc', result: 'abc!' });
    expect(run.error).toBeNull();
    expect(await serverLog(runId)).toEqual(['first ran', 'done abc!']);
    const events = await eventsOf(databaseUrl, runId);
    const elements = events.filter((event) => event.kind === 'ELEMENT').map((event) => [event.element_id, event.attempt]);
    expect(elements).toEqual([
      ['first', 1],
      ['needs', 1],
      ['needs', 2],
      ['last', 1],
    ]);
    expect(events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(['WAITING', 'RESUME_REQUESTED', 'RESUMED', 'COMPLETED']),
    );
    expect(events.find((event) => event.kind === 'RESUME_REQUESTED')?.message).toBe(
      'resumed by root at element needs; variables set: token',
    );

    // audited, and a finished run cannot be resumed
    const audited = await withClient(
      databaseUrl,
      async (client) =>
        (
          await client.query<{ actor: string; status: number }>(
            `SELECT actor, status FROM audit_entry WHERE method = 'POST' AND path = $1`,
            [`/api/runs/${runId}/resume`],
          )
        ).rows,
    );
    expect(audited).toEqual([{ actor: 'root', status: 200 }]);
    const again = await api<{ error: { code: string; message: string } }>(node, `/api/runs/${runId}/resume`, {
      method: 'POST',
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('the run is COMPLETED');
  });

  it('a run started with onFailure "end" fails for good, whatever the definition says', async () => {
    const { status, body } = await api<{ id: string }>(node, '/api/workflows/Fragile/runs', {
      method: 'POST',
      body: { inputs: {}, onFailure: 'end' },
    });
    expect(status).toBe(201);
    await waitForStatus(databaseUrl, [body.id], 'FAILED');
    expect((await getRun(node, body.id)).finishedAt).not.toBeNull();
  });
});
