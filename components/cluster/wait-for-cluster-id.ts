import type { THealth } from '@/lib/cluster/health';

export const RESTART_POLL_MS = 500;
export const RESTART_DEADLINE_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows this node's restart after a join or a leave through its public health endpoint: true
 * once it answers for the expected cluster (null: standalone), false when the deadline passes.
 * Failed and hanging requests are normal while the server is down; they only mean "not yet".
 */
export async function waitForClusterId(expected: string | null): Promise<boolean> {
  const deadline = Date.now() + RESTART_DEADLINE_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch('/api/health', { cache: 'no-store', signal: AbortSignal.timeout(2_000) });
      const health = response.ok ? ((await response.json()) as Pick<THealth, 'clusterId'>) : undefined;
      if (health && health.clusterId === expected) return true;
    } catch {
      // not answering yet
    }
    await sleep(RESTART_POLL_MS);
  }
  return false;
}
