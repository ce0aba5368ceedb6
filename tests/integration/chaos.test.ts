/**
 * One minute of `npm run chaos` with 3 nodes (kill -9, SIGSTOP, restarts, a database restart,
 * and, where namespaces can be made, partitions, latency and loss; with a steady stream of runs): no run lost, no element executed twice beyond the retry of an
 * interrupted one, never more than one node believing itself active.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TChaosReport } from '../../scripts/chaos';
import { runChaos, stopChaosRuns } from '../helpers/chaos';

afterAll(stopChaosRuns);

describe('chaos, one minute', () => {
  it(
    'loses no run, executes nothing twice beyond interrupted elements, never has two active nodes',
    { timeout: 420_000 },
    async () => {
      const result = await runChaos(['--minutes', '1', '--nodes', '3', '--spare-node', '1', '--old-runs', '100', '--json']);
      const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as TChaosReport;
      console.log(
        `chaos ran with seed ${report.seed}: npm run chaos -- --minutes 1 --nodes 3 --seed ${report.seed} replays its faults`,
      );
      expect(report, result.stderr.slice(-3000)).toMatchObject({
        runsLost: 0,
        elementsExecutedTwiceBeyondInterrupted: 0,
        ok: true,
      });
      expect(report.maxNodesBelievingActive).toBeLessThanOrEqual(1);
      expect(report.runsCompleted).toBeGreaterThan(20);
      expect(Object.values(report.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(4);
      expect(result.code).toBe(0);
      // the seed it chose is printed and reported, so that a failing run can be replayed
      expect(result.stderr).toContain(`chaos: seed ${report.seed} (replay with --seed ${report.seed})`);
      // network faults where namespaces can be made (the first fault is one), else a line saying why not
      console.log(
        `chaos network: ${report.network}; faults ${JSON.stringify(report.faults)}; false failovers ${report.falseFailovers} (${report.falseFailoversUnderLatencyOrLoss} under latency or loss)`,
      );
      if (report.network.startsWith('none: '))
        expect(result.stderr).toContain(`chaos: no network faults (all nodes on 127.0.0.1): ${report.network}`);
      else expect(report.faults.partition + report.faults.latency + report.faults.loss).toBeGreaterThanOrEqual(1);
      // a soak compares these: every node's memory and the database's size, at the start and the end
      for (const moment of [report.resources!.start, report.resources!.end]) {
        expect(moment.databaseMb).toBeGreaterThan(0);
        expect(Object.keys(moment.tablesMb)).toContain('workflow_run');
      }
      expect(Object.values(report.resources!.start.rssMb).every((mb) => mb !== null && mb > 10)).toBe(true);
      // a soak's spared node: no process fault touched it, one process throughout
      expect(report.spare).toMatchObject({ node: 'c1', processFaults: 0, pidAtEnd: report.spare!.pidAtStart });
      expect(report.spare!.rssMb.max).toBeGreaterThanOrEqual(report.spare!.rssMb.start!);
      // and the history seeded past a 1-day retention was deleted by the product's pruners
      expect(report.retention!.seeded.workflow_run.pastHorizon).toBe(100);
      expect(report.retention!.prunedAfterSeconds).not.toBeNull();
      for (const table of Object.values(report.resources!.end.watched)) expect(table.pastHorizon).toBe(0);
    },
  );
});
