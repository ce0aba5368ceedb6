/**
 * What this process knows about itself, shared between the server entry (which starts the
 * cluster agent) and the bundled route handlers. Both see the same globalThis.
 */
import type { TNodeIdentity } from '@/lib/node/identity';
import type { TAgentStatus } from '@/lib/cluster/agent';
import type { TServerSettings } from '@/lib/config/document';

/** The part of the cluster agent that route handlers may use. */
export type TAgentView = { status(): TAgentStatus; isActiveNow(): boolean };

export type TNodeRuntime = {
  identity: TNodeIdentity;
  version: string;
  startedAt: Date;
  /** on its own built-in database, not in a cluster */
  standalone: boolean;
  dataDir: string;
  agent: TAgentView;
  /** ends the server cleanly and has the supervisor start it again (after a join or a leave) */
  requestRestart(reason: string): void;
  /** starts driving the rolling resets this node coordinates (after a push with reset) */
  resumeRollouts(): void;
  /** the server settings in force now (restart-required ones as loaded at start, hot ones as on disk) */
  serverSettings(): Promise<TServerSettings>;
};

const KEY = Symbol.for('orch.node-runtime');
type TGlobal = typeof globalThis & { [KEY]?: TNodeRuntime };

export function setNodeRuntime(runtime: TNodeRuntime): void {
  (globalThis as TGlobal)[KEY] = runtime;
}

export function nodeRuntime(): TNodeRuntime {
  const runtime = (globalThis as TGlobal)[KEY];
  if (!runtime) throw new Error('node runtime is not set: the server was not started through scripts/node-server.ts');
  return runtime;
}
