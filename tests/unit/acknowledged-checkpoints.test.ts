import { describe, expect, it } from 'vitest';
import { AcknowledgedCheckpoints, describeLostWork, missingAfterFailover } from '@/lib/workflow/acknowledged-checkpoints';

describe('what a database failover lost, from the checkpoints the old primary acknowledged', () => {
  const run = '11111111-1111-4111-8111-111111111111';
  const other = '22222222-2222-4222-8222-222222222222';

  it('names the completions whose checkpoint events the new primary lacks, and runs missing entirely', () => {
    const journal = new AcknowledgedCheckpoints(() => 1_000);
    journal.record({ runId: run, workflowName: 'Cluster Test', step: 3, elementId: 'server-log', eventId: '30', epoch: 7 });
    journal.record({ runId: run, workflowName: 'Cluster Test', step: 4, elementId: 'system-log', eventId: '31', epoch: 7 });
    journal.record({ runId: other, workflowName: 'Other', step: 1, elementId: 'start', eventId: '32', epoch: 7 });
    const lost = missingAfterFailover(journal.take(), { events: new Set(['30']), runs: new Set([run]) });
    expect(lost.map(({ runId, elementId, runLost }) => ({ runId, elementId, runLost }))).toEqual([
      { runId: run, elementId: 'system-log', runLost: false },
      { runId: other, elementId: 'start', runLost: true },
    ]);
    const line = describeLostWork(lost);
    expect(line).toContain(`run ${run} (Cluster Test): these elements run again: "system-log" (step 4)`);
    expect(line).toContain(`run ${other} (Other): the whole run is missing`);
    expect(line.split('\n')).toHaveLength(1);
    // compared once: the journal starts over on the new primary
    expect(journal.take()).toEqual([]);
  });

  it('keeps ten minutes of acknowledgements at most', () => {
    let now = 0;
    const journal = new AcknowledgedCheckpoints(() => now);
    journal.record({ runId: run, workflowName: 'Cluster Test', step: 1, elementId: 'start', eventId: '1', epoch: 7 });
    now = 11 * 60_000;
    journal.record({ runId: run, workflowName: 'Cluster Test', step: 2, elementId: 'check', eventId: '2', epoch: 7 });
    expect(journal.take().map((entry) => entry.eventId)).toEqual(['2']);
  });

  it('keeps the last 2,000 acknowledgements at most, however many were recorded', () => {
    let now = 0;
    const journal = new AcknowledgedCheckpoints(() => now);
    for (let step = 1; step <= 5_001; step += 1) {
      now += 1;
      journal.record({ runId: run, workflowName: 'Bench', step, elementId: 'work', eventId: String(step), epoch: 7 });
    }
    const taken = journal.take();
    expect(taken).toHaveLength(2_000);
    expect(taken[0].step).toBe(3_002);
    expect(taken.at(-1)?.step).toBe(5_001);
  });
});
