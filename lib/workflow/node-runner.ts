/**
 * The workflow runner of one node process, started by the server entry after the cluster agent.
 * (Filled in by the workflow engine; until then it runs nothing.)
 */
import type { ClusterAgent } from '@/lib/cluster/agent';
import type { TDb } from '@/lib/db/client';
import type { TNodeIdentity } from '@/lib/node/identity';

export type TWorkflowRunnerContext = {
  db: TDb;
  databaseUrl: string;
  agent: ClusterAgent;
  identity: TNodeIdentity;
  dataDir: string;
};

export type TWorkflowRunner = { stop(): Promise<void> };

export async function startWorkflowRunner(_context: TWorkflowRunnerContext): Promise<TWorkflowRunner> {
  return { stop: async () => {} };
}
