/**
 * `orchctl push --url U [--reset]`: node U's configuration becomes the cluster's reference. With
 * --reset the nodes restart one at a time; the command follows the rolling reset until it ends
 * (node U itself restarts last, so the command rides out a short outage of U).
 * `orchctl restart --url U NODE`: ask one node to restart.
 */
import type { TPushResult } from '@/lib/config/push-configuration';
import { callApi, CliError } from './api-client';
import { readCluster, resolveNode, type TNodeCommandOptions } from './cluster-view';

export type TPushOptions = TNodeCommandOptions & { reset?: boolean; wait?: boolean; timeout?: number };

export async function pushConfiguration(options: TPushOptions): Promise<void> {
  const result = await callApi<TPushResult>(options.url, '/api/config/push', {
    ...options,
    method: 'POST',
    body: { reset: !!options.reset },
  });
  console.log(
    result.created
      ? `pushed configuration version ${result.version} (fingerprint ${result.fingerprint}); the other nodes write it within one heartbeat`
      : `configuration version ${result.version} is already the reference`,
  );
  if (result.rolloutId === null) return;
  console.log(`rolling reset #${result.rolloutId} started`);
  if (options.wait === false) return;
  await followRollout(options, result.rolloutId, (options.timeout ?? 600) * 1000);
}

export async function followRollout(options: TNodeCommandOptions, rolloutId: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const printed = new Map<string, string>();
  for (;;) {
    // the node asked may be the one restarting: an error here is an outage to wait out, until the deadline
    const rollout = await readCluster(options).then(
      (status) => status.rollout,
      () => undefined,
    );
    if (rollout && rollout.id === rolloutId) {
      for (const step of rollout.steps) {
        const line = `${step.name}: ${step.status.toLowerCase().replaceAll('_', ' ')}${step.message ? ` (${step.message})` : ''}`;
        if (printed.get(step.nodeId) !== line) console.log(`  ${line}`);
        printed.set(step.nodeId, line);
      }
      if (rollout.status === 'COMPLETED')
        return console.log(`rolling reset #${rolloutId} completed: every node runs version ${rollout.version}`);
      if (rollout.status === 'FAILED')
        throw new CliError(`rolling reset #${rolloutId} failed: ${rollout.message ?? 'see the events'}`);
      if (rollout.stalled) throw new CliError(`rolling reset #${rolloutId} stalled: its coordinating node stopped responding`);
    }
    if (Date.now() > deadline)
      throw new CliError(
        `rolling reset #${rolloutId} has not finished after ${Math.round(timeoutMs / 1000)} s; it goes on (see the cluster page)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function restartNode(options: TNodeCommandOptions, node: string): Promise<void> {
  const member = await resolveNode(options, node);
  await callApi(options.url, `/api/cluster/nodes/${member.id}/restart`, { ...options, method: 'POST' });
  console.log(`${member.name} restarts at its next heartbeat`);
}
