/**
 * One run of `npm run chaos` with 3 nodes on a multi-host URL over a PostgreSQL 15 primary +
 * synchronous standby (`--database replicated`): first a database failover (the primary killed,
 * the standby promoted, the old primary rebuilt as the new standby), then kill -9, SIGSTOP,
 * restarts, a freeze inside a claim and, where namespaces can be made, partitions, latency and
 * loss on the paths to both database servers; with a steady stream of runs. No run lost, no
 * element executed twice beyond the retry of an interrupted one, never more than one node
 * believing itself active; the spared node keeps one process throughout, and the history seeded
 * past the retention is deleted by the product. One cluster and one run for what a run on one
 * database and a run with a database failover would each prove.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TChaosReport } from '../../scripts/chaos';
import { runChaos, stopChaosRuns } from '../helpers/chaos';

afterAll(stopChaosRuns);

// The database failover comes first (--database-fault-first), as soon as the cluster is steady;
// the faults after it go on until 8 s before the end, and on a machine so loaded that fewer than 4
// faults fit, on until there are 4 (--min-faults, for at most as long again): the 2nd is a network
// one where there are namespaces.
const MINUTES = '1.25';
const ARGS = ['--minutes', MINUTES, '--nodes', '3', '--database', 'replicated', '--database-fault-first', '--min-faults', '4'];

describe(`chaos with a database failover first, ${MINUTES} minutes`, () => {
  it(
    'loses no run, executes nothing twice beyond interrupted elements, never has two active nodes, across a database failover and the other faults',
    { timeout: 600_000 },
    async () => {
      const result = await runChaos([...ARGS, '--spare-node', '1', '--old-runs', '100', '--json']);
      const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as TChaosReport;
      console.log(
        `chaos ran with seed ${report.seed}: npm run chaos -- ${ARGS.join(' ')} --spare-node 1 --old-runs 100 --seed ${report.seed} replays its faults`,
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
      // the database failed over (the standby promoted, the old primary rebuilt as its standby); a
      // replicated pair is never merely restarted
      expect(report.faults['database-failover']).toBeGreaterThanOrEqual(1);
      expect(report.faults.database).toBe(0);
      expect(result.stderr).toContain('old primary rebuilt as the standby of the new one');
      // network faults where namespaces can be made, else a line saying why not
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
