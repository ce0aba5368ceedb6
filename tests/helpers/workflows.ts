/** Workflows on real nodes for integration tests: the API as an operator would call it, and the rows and files to check. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TRunDetail, TRunSummary } from '@/lib/workflow/views';
import type { TSystemLogLine } from '@/lib/workflow/system-log';
import { withClient } from './database';
import { api } from './http';
import type { NodeProcess } from './node-process';
import { pollUntil } from './poll';

/** the shared client (tests/helpers/http.ts), here too for the workflow tests that import it from here */
export { api };

export async function importDefinition(node: NodeProcess, definition: unknown): Promise<void> {
  const { status, body } = await api(node, '/api/workflows', { method: 'POST', body: definition });
  if (status !== 201) throw new Error(`import answered ${status}: ${JSON.stringify(body)}`);
}

export async function startRun(node: NodeProcess, name: string, inputs: Record<string, unknown> = {}): Promise<string> {
  const { status, body } = await api<TRunSummary>(node, `/api/workflows/${encodeURIComponent(name)}/runs`, {
    method: 'POST',
    body: { inputs },
  });
  if (status !== 201) throw new Error(`start answered ${status}: ${JSON.stringify(body)}`);
  return body.id;
}

export async function getRun(node: NodeProcess, id: string): Promise<TRunDetail> {
  const { status, body } = await api<TRunDetail>(node, `/api/runs/${id}`);
  if (status !== 200) throw new Error(`run answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export type TEventRow = {
  id: number;
  run_id: string;
  kind: string;
  element_id: string | null;
  attempt: number | null;
  node_id: string | null;
  epoch: number | null;
  message: string | null;
  at: Date;
};

/** Events straight from the database (any node may be down). */
export async function eventsOf(databaseUrl: string, runId?: string): Promise<TEventRow[]> {
  return withClient(
    databaseUrl,
    async (client) =>
      (
        await client.query<TEventRow>(
          `SELECT id::int, run_id, kind, element_id, attempt, node_id, epoch::int, message, at FROM workflow_run_event
          WHERE $1::uuid IS NULL OR run_id = $1 ORDER BY id`,
          [runId ?? null],
        )
      ).rows,
  );
}

export async function runStatuses(databaseUrl: string): Promise<Map<string, string>> {
  return withClient(
    databaseUrl,
    async (client) =>
      new Map(
        (await client.query<{ id: string; status: string }>('SELECT id, status FROM workflow_run')).rows.map((row) => [
          row.id,
          row.status,
        ]),
      ),
  );
}

export async function waitForStatus(databaseUrl: string, runIds: string[], status: string, timeoutMs = 45_000): Promise<void> {
  await pollUntil(
    async () => {
      const statuses = await runStatuses(databaseUrl);
      return runIds.every((id) => statuses.get(id) === status);
    },
    { timeoutMs, intervalMs: 200, what: `${runIds.length} run(s) to be ${status}` },
  );
}

export function systemLog(node: NodeProcess): TSystemLogLine[] {
  const file = path.join(node.dataDir, 'logs', 'system.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TSystemLogLine);
}

/** The N of each "count N" line a node's system log holds for a run. */
export function systemCounts(node: NodeProcess, runId: string): number[] {
  return systemLog(node)
    .filter((line) => line.runId === runId)
    .map((line) => Number(/^count (\d+)$/.exec(line.message)?.[1]));
}

export function nodeIdOf(node: NodeProcess): string {
  return (JSON.parse(readFileSync(path.join(node.dataDir, 'node.json'), 'utf8')) as { id: string }).id;
}

/**
 * An element's ELEMENT events grouped by the N of their "count N" message (Cluster Test), and the
 * counts that ran more than once: what "every count once, at most the interrupted one again" checks.
 */
export function countsOfElement(
  events: TEventRow[],
  elementId: string,
): { counts: number[]; repeated: Map<number, TEventRow[]> } {
  const perCount = new Map<number, TEventRow[]>();
  for (const event of events.filter((e) => e.kind === 'ELEMENT' && e.element_id === elementId)) {
    const n = Number(event.message?.replace('count ', ''));
    perCount.set(n, [...(perCount.get(n) ?? []), event]);
  }
  return {
    counts: [...perCount.keys()].sort((a, b) => a - b),
    repeated: new Map([...perCount].filter(([, list]) => list.length > 1)),
  };
}
