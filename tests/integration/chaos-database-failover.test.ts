/**
 * A minute and a half of `npm run chaos -- --database replicated` with 3 nodes on a multi-host URL
 * over a PostgreSQL 15 primary + synchronous standby: among the node faults, at least one database
 * failover (the primary killed, the standby promoted, the old primary rebuilt as the new
 * standby). No run lost, no element executed twice beyond the retry of an interrupted one, never
 * more than one node believing itself active.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TChaosReport } from '../../scripts/chaos';
import { runChaos, stopChaosRuns } from '../helpers/chaos';

afterAll(stopChaosRuns);

// The runner plans the database failover as its 2nd, 3rd or 4th fault (scripts/chaos.ts: one fault of
// each kind first). The latest it started in a measured run on a loaded machine was 36 s in, as the
// 3rd fault; as the 4th it starts within about a minute even when a node restart before it is slow.
// Faults go on until 8 s before the end, so 1.5 minutes reach it with room to spare.
const MINUTES = '1.5';

describe('chaos with database failovers, a minute and a half', () => {
  it('keeps every guarantee across a database failover among the other faults', { timeout: 600_000 }, async () => {
    const result = await runChaos(['--minutes', MINUTES, '--nodes', '3', '--database', 'replicated', '--json']);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as TChaosReport;
    console.log(
      `chaos ran with seed ${report.seed}: npm run chaos -- --minutes ${MINUTES} --nodes 3 --database replicated --seed ${report.seed} replays its faults`,
    );
    expect(report, result.stderr.slice(-3000)).toMatchObject({
      runsLost: 0,
      elementsExecutedTwiceBeyondInterrupted: 0,
      ok: true,
    });
    expect(report.faults['database-failover']).toBeGreaterThanOrEqual(1);
    expect(report.faults.database).toBe(0);
    expect(report.maxNodesBelievingActive).toBeLessThanOrEqual(1);
    expect(report.runsCompleted).toBeGreaterThan(10);
    expect(result.stderr).toContain('old primary rebuilt as the standby of the new one');
    expect(result.code).toBe(0);
  });
});
