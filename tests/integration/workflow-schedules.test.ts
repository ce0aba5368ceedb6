/**
 * A 1-second schedule on 3 nodes with 2 active, through faults: kill -9 of an
 * active node (restarted later), SIGSTOP of an active node past the window (it wakes up fenced),
 * and a restart of the database. Every slot outside the database outage fires exactly once (the
 * other active node keeps firing while one is gone); the slots of the outage follow the misfire
 * policy (fire-once: the missed slots together fire one late run); no slot ever fires twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { findFreePort } from '@/lib/node/ports';
import { MISFIRE_GRACE_MS } from '@/lib/workflow/schedule-times';
import type { TScheduleView } from '@/lib/workflow/schedules';
import type { TRunSummary } from '@/lib/workflow/views';
import { activeNodes, seedCluster, startNodesTogether } from '../helpers/cluster';
import { withClient } from '../helpers/database';
import { ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { holdsFor, pollUntil } from '../helpers/poll';
import { importDefinition } from '../helpers/workflows';

let database: TBuiltInDatabase | undefined;
let dataDir: string;

afterAll(async () => {
  await stopAllNodes();
  await database?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];
const INTERVAL_MS = 500;
const FAILOVER_HEARTBEATS = 4;
// a node gone (killed or frozen) for two windows has surely lost its slot to the standby, and the
// slots of that time show whether the cluster kept firing without it
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const TICK = {
  name: 'Tick',
  inputs: [{ name: 'label', type: 'string' }],
  elements: [{ id: 'mark', type: 'set', variable: 'seen', expression: 'label' }],
};

type TSlotRun = { scheduled_for: Date; created_at: Date; status: string; created_events: number };

async function scheduledRuns(url: string, scheduleId: string): Promise<TSlotRun[]> {
  return withClient(
    url,
    async (client) =>
      (
        await client.query<TSlotRun>(
          `SELECT r.scheduled_for, r.created_at, r.status,
                (SELECT count(*)::int FROM workflow_run_event e WHERE e.run_id = r.id AND e.kind = 'CREATED') AS created_events
           FROM workflow_run r WHERE r.schedule_id = $1 ORDER BY r.scheduled_for`,
          [scheduleId],
        )
      ).rows,
  );
}

async function untilTwoActive(nodes: NodeProcess[], what: string): Promise<number> {
  await pollUntil(async () => (await activeNodes(nodes)).length === 2, { timeoutMs: 60_000, intervalMs: 100, what });
  return Date.now();
}

/** Lets the schedule fire for a while, and checks that at least one node stays active meanwhile. */
async function fireFor(nodes: NodeProcess[], ms: number, what: string): Promise<void> {
  await holdsFor(async () => (await activeNodes(nodes)).length >= 1, ms, what, 250);
}

describe('a 1-second schedule under faults', () => {
  it(
    'fires each slot once outside outages, follows the misfire policy through the database outage, never twice',
    { timeout: 420_000 },
    async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-schedule-db-'));
      const port = await findFreePort();
      database = await startBuiltInDatabase({ dataDir, port });
      const url = database.url;
      await applyMigrations(url);
      await seedCluster(url, { intervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS, activeNodeCount: 2 });
      const nodes = await startNodesTogether(url, 3);
      await untilTwoActive(nodes, 'two active nodes');
      await importDefinition(nodes[0], TICK);

      // the contract: add prints the id; a bad zone is refused with a message naming it
      const refused = await runOrchctl([
        'schedule',
        'add',
        '--url',
        nodes[0].url,
        ...asRoot,
        'Tick',
        '--cron',
        '* * * * * *',
        '--tz',
        'Mars/Olympus',
        '--input',
        'label=x',
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('"Mars/Olympus" is not an IANA time zone');
      const added = await runOrchctl([
        'schedule',
        'add',
        '--url',
        nodes[0].url,
        ...asRoot,
        'Tick',
        '--every',
        '1',
        '--input',
        'label=tick',
        '--misfire',
        'fire-once',
      ]);
      expect(added.code, added.stderr).toBe(0);
      const scheduleId = added.stdout.trim();
      expect(scheduleId).toMatch(/^[0-9a-f-]{36}$/);
      await pollUntil(async () => (await scheduledRuns(url, scheduleId)).length >= 3, { what: 'the first firings' });

      // kill -9 of an active node: the other active node keeps firing; the node comes back later
      await fireFor(nodes, 2_000, 'an active node before the kill');
      const [killed] = await activeNodes(nodes);
      killed.killGroup('SIGKILL');
      await killed.exited;
      await fireFor(
        nodes.filter((node) => node !== killed),
        2 * WINDOW_MS,
        'an active node after the kill',
      );
      const restarted = await startNode({ databaseUrl: url, dataDir: killed.dataDir, port: killed.port });
      nodes[nodes.indexOf(killed)] = restarted;
      await untilTwoActive(nodes, 'two active nodes after the restart');

      // SIGSTOP of an active node for longer than the window: it wakes up fenced and fires nothing
      const [frozen] = await activeNodes(nodes);
      frozen.killGroup('SIGSTOP');
      await fireFor(
        nodes.filter((node) => node !== frozen),
        2 * WINDOW_MS,
        'an active node while one is frozen',
      );
      frozen.killGroup('SIGCONT');
      await untilTwoActive(nodes, 'two active nodes after the freeze');
      await fireFor(nodes, 2_000, 'an active node before the database restart');

      // the database goes away for longer than the misfire grace: no node can fire meanwhile
      const outageFrom = Date.now();
      await database.stop();
      await pollUntil(async () => (await activeNodes(nodes)).length === 0, {
        timeoutMs: 15_000,
        what: 'the actives to fence themselves',
      });
      await holdsFor(
        async () => (await activeNodes(nodes)).length === 0,
        MISFIRE_GRACE_MS + 3_000,
        'no active node while the database is down',
      );
      database = await startBuiltInDatabase({ dataDir, port });
      await pollUntil(async () => (await activeNodes(nodes)).length >= 1, {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: 'an active node after the outage',
      });
      const outageTo = Date.now();
      await untilTwoActive(nodes, 'two active nodes after the outage');
      await fireFor(nodes, 5_000, 'an active node after the outage');

      const paused = await runOrchctl(['schedule', 'pause', '--url', nodes[0].url, ...asRoot, scheduleId]);
      expect(paused.code, paused.stderr).toBe(0);
      await pollUntil(async () => (await scheduledRuns(url, scheduleId)).every((run) => run.status === 'COMPLETED'), {
        timeoutMs: 60_000,
        what: 'every fired run to complete',
      });

      const runs = await scheduledRuns(url, scheduleId);
      const at = runs.map((run) => run.scheduled_for.getTime());
      // never twice: one run per slot (the unique key), one CREATED event per run, whole seconds
      expect(new Set(at).size).toBe(runs.length);
      expect(runs.every((run) => run.created_events === 1)).toBe(true);
      expect(at.every((ms) => ms % 1000 === 0)).toBe(true);

      // the outage, widened by a heartbeat on each side (fencing and the first claim are not instant)
      const outageStart = outageFrom - 1_000;
      const outageEnd = outageTo + 1_000;
      const inOutage = (ms: number) => ms >= outageStart && ms <= outageEnd;
      const fired = new Set(at);
      const missingOutside: string[] = [];
      for (let slot = at[0]; slot <= at.at(-1)!; slot += 1_000) {
        if (!inOutage(slot) && !fired.has(slot)) missingOutside.push(new Date(slot).toISOString());
      }
      expect(missingOutside, 'slots outside the database outage that did not fire').toEqual([]);

      // fire-once: the slots missed in the outage fired one late run together, and most of them none
      const late = runs.filter((run) => run.created_at.getTime() - run.scheduled_for.getTime() > MISFIRE_GRACE_MS);
      expect(late).toHaveLength(1);
      expect(inOutage(late[0].scheduled_for.getTime())).toBe(true);
      const outageSlots = Math.floor((outageEnd - outageStart) / 1000);
      const firedInOutage = at.filter(inOutage).length;
      expect(firedInOutage).toBeLessThan(outageSlots);

      // the contract: runs of the schedule with their slot; the schedule shows its last firing
      const listed = await runOrchctl([
        'workflow',
        'list-runs',
        '--url',
        nodes[0].url,
        ...asRoot,
        '--schedule',
        scheduleId,
        '--limit',
        '1000',
        '--json',
      ]);
      expect(listed.code, listed.stderr).toBe(0);
      const listedRuns = JSON.parse(listed.stdout) as TRunSummary[];
      expect(listedRuns.map((run) => run.scheduledFor).sort()).toEqual(runs.map((run) => run.scheduled_for.toISOString()));
      const list = await runOrchctl(['schedule', 'list', '--url', nodes[0].url, ...asRoot, '--json']);
      expect(list.code, list.stderr).toBe(0);
      const [schedule] = JSON.parse(list.stdout) as TScheduleView[];
      expect(schedule).toMatchObject({
        id: scheduleId,
        paused: true,
        everySeconds: 1,
        misfire: 'fire-once',
        lastResult: 'fired',
      });
      expect(schedule.lastFiredFor).toBe(runs.at(-1)!.scheduled_for.toISOString());
      expect(schedule.lastFiredNodeName).toMatch(/^n\d$/);
      console.log(
        `schedule test: ${runs.length} runs for ${(at.at(-1)! - at[0]) / 1000 + 1} slots; outage ${Math.round((outageTo - outageFrom) / 1000)} s, ${firedInOutage} of ${outageSlots} outage slots fired`,
      );
    },
  );
});
