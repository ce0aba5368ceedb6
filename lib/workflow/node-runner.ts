/**
 * The workflow runner of one node process, started by the server entry after the cluster agent:
 * reads the node's settings (the maximum of concurrent runs applies at a restart, the retention
 * at once), loads its plugins, and starts the runner loop (lib/workflow/runner.ts) and the
 * scheduler (lib/workflow/scheduler.ts).
 */
import type { ClusterAgent } from '@/lib/cluster/agent';
import { readServerSettings, ZServerSettings, type TServerSettings } from '@/lib/config/document';
import type { TDb } from '@/lib/db/client';
import type { TNodeIdentity } from '@/lib/node/identity';
import { logError, logInfo, logWarn } from '@/lib/node/log';
import { loadPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import { RunStore } from '@/lib/workflow/run-store';
import { WorkflowRunner } from '@/lib/workflow/runner';
import { ScheduleStore } from '@/lib/workflow/schedule-store';
import { WorkflowScheduler } from '@/lib/workflow/scheduler';

export type TWorkflowRunnerContext = {
  db: TDb;
  databaseUrl: string;
  agent: ClusterAgent;
  identity: TNodeIdentity;
  dataDir: string;
};

export type TWorkflowRunner = {
  stop(): Promise<void>;
  /** before the node gives its active slot back: finish the current elements and hand the runs over */
  handOver(reason: string): Promise<void>;
  /** the shared database failed over: record the element completions the new primary lacks */
  reportLostWork(): Promise<void>;
  /** the node just took an active slot: claim free runs (a killed node's) now, not at the next tick */
  wake(): void;
};

/** A settings file that does not parse must not keep workflows from running: defaults, and a warning. */
async function settingsOrDefaults(dataDir: string): Promise<TServerSettings> {
  try {
    return await readServerSettings(dataDir);
  } catch (error) {
    logWarn('workflows', `server settings unreadable (${(error as Error).message}); using the defaults`);
    return ZServerSettings.parse({});
  }
}

export async function startWorkflowRunner(context: TWorkflowRunnerContext): Promise<TWorkflowRunner> {
  const { agent, identity, dataDir } = context;
  const settings = await settingsOrDefaults(dataDir);
  const plugins = await loadPluginSandbox(dataDir);
  for (const error of plugins.errors) logWarn('workflows', `plugin not loaded: ${error}`);
  // one connection per run in flight is never needed: checkpoints are short; a few spare for claims
  const store = new RunStore(context.databaseUrl, Math.min(settings.maxConcurrentRuns, 8) + 2);
  const runner = new WorkflowRunner({
    store,
    agent,
    node: { id: identity.id, name: identity.name },
    dataDir,
    maxConcurrentRuns: settings.maxConcurrentRuns,
    plugins,
    retentionDays: async () => (await settingsOrDefaults(dataDir)).runRetentionDays,
    log: (level, message) => ({ info: logInfo, warn: logWarn, error: logError })[level]('workflows', message),
  });
  runner.start();
  const scheduler = new WorkflowScheduler({
    store: new ScheduleStore(context.databaseUrl),
    agent,
    node: { id: identity.id, name: identity.name },
    log: (level, message) => ({ info: logInfo, warn: logWarn, error: logError })[level]('workflows', message),
  });
  scheduler.start();
  return {
    stop: async () => {
      await scheduler.stop();
      await runner.stop();
      plugins.close();
    },
    handOver: (reason) => runner.handOver(reason),
    reportLostWork: () => runner.reportLostWork(),
    wake: () => runner.wake(),
  };
}
