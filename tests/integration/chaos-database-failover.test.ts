/**
 * Two minutes of `npm run chaos -- --database replicated` with 3 nodes on a multi-host URL over a
 * PostgreSQL 15 primary + synchronous standby: among the node faults, at least one database
 * failover (the primary killed, the standby promoted, the old primary rebuilt as the new
 * standby). No run lost, no element executed twice beyond the retry of an interrupted one, never
 * more than one node believing itself active.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TChaosReport } from '../../scripts/chaos';
import { runChaos, stopChaosRuns } from '../helpers/chaos';

afterAll(stopChaosRuns);

describe('chaos with database failovers, two minutes', () => {
  it('keeps every guarantee across a database failover among the other faults', { timeout: 600_000 }, async () => {
    const result = await runChaos(['--minutes', '2', '--nodes', '3', '--database', 'replicated', '--json']);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as TChaosReport;
    console.log(
      `chaos ran with seed ${report.seed}: npm run chaos -- --minutes 2 --nodes 3 --database replicated --seed ${report.seed} replays its faults`,
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
