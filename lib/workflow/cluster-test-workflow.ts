/**
 * The Cluster Test workflow, shipped with the product and put in the database when a runner
 * starts (if no workflow of that name exists): it counts from 1 to `count` once a second, writing
 * "count N" to the server log and the system log, so that an operator can kill the node running
 * it and watch another node go on from the next count. samples/workflows/cluster-test.json holds
 * the same definition (a unit test keeps them equal).
 */
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';

export const CLUSTER_TEST_WORKFLOW: TWorkflowDefinition = {
  name: 'Cluster Test',
  description:
    'Counts from 1 to count once a second, writing "count N" to the server log and the system log. Start it, kill the node running it, and another node goes on from the next count.',
  inputs: [{ name: 'count', type: 'number', default: 60, description: 'how far to count' }],
  elements: [
    { id: 'start', type: 'set', variable: 'n', expression: '1' },
    { id: 'check', type: 'decision', condition: 'n <= count', then: 'server-log', else: 'done' },
    { id: 'server-log', type: 'log', target: 'server', level: 'info', message: "'count ' + n" },
    { id: 'system-log', type: 'log', target: 'system', level: 'info', message: "'count ' + n" },
    { id: 'increment', type: 'set', variable: 'n', expression: 'n + 1' },
    { id: 'more', type: 'decision', condition: 'n <= count', then: 'wait', else: 'done' },
    { id: 'wait', type: 'sleep', seconds: 1, next: 'server-log' },
    { id: 'done', type: 'end' },
  ],
};
