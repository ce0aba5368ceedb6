/**
 * The cluster agent: one per server process, started by the server entry. A node without a
 * cluster is standalone and, being alone, active. (Heartbeats, slots and fencing come with the
 * cluster core.)
 */
export const NODE_STATES = ['ACTIVE', 'STANDBY', 'MAINTENANCE', 'STARTING', 'FENCED'] as const;
export type TNodeState = (typeof NODE_STATES)[number];

export type TAgentStatus = { state: TNodeState; epoch: number; clusterId: string | null };

type TLifecycle = 'idle' | 'running' | 'stopped';

export class ClusterAgent {
  private lifecycle: TLifecycle = 'idle';
  private current: TAgentStatus = { state: 'STARTING', epoch: 0, clusterId: null };

  async start(): Promise<void> {
    if (this.lifecycle !== 'idle') throw new Error(`agent cannot start from ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.current = { state: 'ACTIVE', epoch: 0, clusterId: null };
  }

  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    this.current = { ...this.current, state: 'STARTING' };
  }

  status(): TAgentStatus {
    return this.current;
  }
}
