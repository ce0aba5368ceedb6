/**
 * The order in which a project hands its files to its workers: the longest files first, so that a
 * pool of parallel workers does not end on one long file alone. Vitest orders by the durations it
 * measured last time (its cache); a fresh clone has none, so the files known to take longest go
 * first there too (then Vitest's own order: failed first, longer first, larger first).
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The longest integration and browser files, longest first (seconds on an idle 2-core machine in comments). */
const LONGEST_FIRST = [
  // but these two first, side by side (project integration-timed): the 1-second schedule, which
  // must not share the host with chaos, finishes beside database-latency, which outlasts it
  'workflow-schedules.test.ts',
  'database-latency.test.ts',
  'chaos.test.ts', // a minute and a quarter of chaos, with a database failover
  'clock-steps.test.ts',
  'no-stall.test.ts',
  'cluster-failover.test.ts',
  'separate-hosts.test.ts',
  'workflow-failover.test.ts',
  'configuration-history.test.ts',
  'join.test.ts',
  'configuration-push.test.ts',
  'notifications.test.ts',
  'configuration-export-import.test.ts',
  'cli-cluster.test.ts',
  'command-line-secrets.test.ts',
  'slow-node.test.ts',
];

const rank = (spec: TestSpecification) => {
  const index = LONGEST_FIRST.indexOf(path.basename(spec.moduleId));
  return index === -1 ? LONGEST_FIRST.length : index;
};

export default class LongestFirstSequencer extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // a stable sort: among the files not listed, Vitest's own order stays
    return sorted
      .map((spec, position) => ({ spec, position }))
      .sort(
        (a, b) =>
          a.spec.project.config.sequence.groupOrder - b.spec.project.config.sequence.groupOrder ||
          a.spec.project.name.localeCompare(b.spec.project.name) ||
          rank(a.spec) - rank(b.spec) ||
          a.position - b.position,
      )
      .map(({ spec }) => spec);
  }
}
