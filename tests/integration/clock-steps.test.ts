/**
 * Wall-clock steps on the active node (libfaketime with FAKETIME_DONT_FAKE_MONOTONIC=1, as on a
 * real host whose clock is set wrong): ± 5 minutes, + 60 days, − 60 days, and back. Nothing
 * changes: no lost slot, no fence, no new epoch; the skew is shown and alarmed. A node started
 * with a clock a month behind joins as a live standby.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../helpers/database';
import { holdsFor, pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus, health, seedCluster } from '../helpers/cluster';

const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const INTERVAL = 1_000;
const WINDOW = 3_000;
const DAY_MS = 24 * 60 * 60 * 1000;

let databaseUrl: string;
let stepped: NodeProcess;
let other: NodeProcess;
let clockFile: string;
let lateClockFile: string;

function fakedClock(file: string, offset: string): Record<string, string> {
  writeFileSync(file, offset);
  return {
    LD_PRELOAD: FAKETIME_LIBRARY,
    FAKETIME_TIMESTAMP_FILE: file,
    // re-read the file every second, so a test can step the clock of a running process
    FAKETIME_CACHE_DURATION: '1',
    // the monotonic clock keeps true time, as on a real host whose wall clock is set wrong
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    FAKETIME_DONT_RESET: '1',
  };
}

beforeAll(async () => {
  if (!existsSync(FAKETIME_LIBRARY)) throw new Error(`libfaketime is missing (${FAKETIME_LIBRARY}): apt-get install faketime`);
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: INTERVAL, failoverHeartbeats: 3 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-clock-'));
  clockFile = path.join(dir, 'stepped.rc');
  lateClockFile = path.join(dir, 'late.rc');
  stepped = await startNode({ databaseUrl, name: 'stepped', env: fakedClock(clockFile, '+0') });
  await pollUntil(async () => (await health(stepped))?.state === 'ACTIVE', {
    what: 'the node whose clock will step to be active',
  });
  other = await startNode({ databaseUrl, name: 'other' });
  await pollUntil(async () => (await health(other))?.state === 'STANDBY', { what: 'the other node to stand by' });
});

afterAll(stopAllNodes);

const eventsSince = (id: number) =>
  withClient(databaseUrl, async (client) =>
    (
      await client.query<{ kind: string }>(
        `SELECT kind FROM cluster_event WHERE id > $1 AND kind IN ('FENCED', 'BECAME_ACTIVE', 'BECAME_STANDBY', 'NOT_RESPONDING', 'LATE') ORDER BY id`,
        [id],
      )
    ).rows.map((row) => row.kind),
  );
const lastEventId = () =>
  withClient(databaseUrl, async (client) =>
    Number((await client.query('SELECT coalesce(max(id), 0) AS id FROM cluster_event')).rows[0].id),
  );

describe('a wall clock that steps never breaks coordination', () => {
  for (const [offset, expectedSkewMs] of [
    ['+5m', -5 * 60_000],
    ['-5m', 5 * 60_000],
    ['+60d', -60 * DAY_MS],
    ['-60d', 60 * DAY_MS],
    ['+0', 0],
  ] as const) {
    it(`stepping the active node's clock to ${offset}: it stays active under the same epoch, and the skew is shown`, async () => {
      const before = (await health(stepped))!;
      expect(before.state).toBe('ACTIVE');
      const fromEvent = await lastEventId();
      writeFileSync(clockFile, offset);
      // the node measures its skew on a heartbeat; the status shows it (database minus node)
      const shown = await pollUntil(
        async () => {
          const node = (await clusterStatus(other)).nodes.find((candidate) => candidate.name === 'stepped');
          return node && node.clockSkewMs !== null && Math.abs(node.clockSkewMs - expectedSkewMs) < 30_000 ? node : undefined;
        },
        { timeoutMs: 20_000, what: `a skew near ${expectedSkewMs} ms for the stepped node` },
      );
      expect(shown.state).toBe('ACTIVE');
      const status = await clusterStatus(other);
      if (expectedSkewMs !== 0) expect(status.alarms.map((alarm) => alarm.code)).toContain('CLOCK_SKEW');
      // two windows on the new clock: nothing moves
      await holdsFor(
        async () => {
          const now = await health(stepped);
          return now?.state === 'ACTIVE' && now.epoch === before.epoch && (await health(other))?.state === 'STANDBY';
        },
        2 * WINDOW,
        `the stepped node to stay active under epoch ${before.epoch}`,
        200,
      );
      expect(await eventsSince(fromEvent)).toEqual([]);
    });
  }

  it('a node started with its clock a month behind joins as a live standby, its skew shown', async () => {
    const late = await startNode({ databaseUrl, name: 'late', env: fakedClock(lateClockFile, '-30d') });
    await pollUntil(async () => (await health(late))?.state === 'STANDBY', { what: 'the late node to stand by' });
    const node = await pollUntil(
      async () => {
        const candidate = (await clusterStatus(other)).nodes.find((entry) => entry.name === 'late');
        return candidate?.clockSkewMs !== null && candidate?.clockSkewMs !== undefined ? candidate : undefined;
      },
      { what: 'the late node with a measured skew' },
    );
    expect(node.state).toBe('STANDBY');
    expect(Math.abs(node.clockSkewMs! - 30 * DAY_MS)).toBeLessThan(30_000);
    // and it stays a live standby for two windows (its heartbeats are all accepted)
    await holdsFor(
      async () => (await clusterStatus(other)).nodes.find((entry) => entry.name === 'late')?.state === 'STANDBY',
      2 * WINDOW,
      'the late node to stay STANDBY',
      300,
    );
    expect((await health(stepped))?.state).toBe('ACTIVE');
  });
});
