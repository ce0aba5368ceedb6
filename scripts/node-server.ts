/**
 * The node server process: the Next.js console and API plus, in the same process, the cluster
 * agent (started exactly once, here — not from a page, not at build time). Its supervisor
 * (lib/node/supervisor.ts) starts it with the environment that lib/env.ts validates.
 */
import next from 'next';
import { ZodError } from 'zod';
import { ClusterAgent } from '@/lib/cluster/agent';
import { fileBeliefLog } from '@/lib/cluster/belief-log';
import { ConfigSync } from '@/lib/config/config-sync';
import { LocalConfiguration } from '@/lib/config/local-configuration';
import { observeHeartbeat } from '@/lib/metrics/registry';
import { ensureMetricsToken } from '@/lib/metrics/metrics-token';
import { startNotifications } from '@/lib/notify/start-notifications';
import { pruneClusterData } from '@/lib/retention/prune-cluster-data';
import { RetentionPruner } from '@/lib/retention/retention-pruner';
import { systemClock } from '@/lib/cluster/clock';
import { readClusterIdentity } from '@/lib/cluster/status';
import { PgClusterStore } from '@/lib/cluster/pg-store';
import { trustedProxySet } from '@/lib/auth/client-address';
import { db } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import { EXIT_FATAL_CONFIG, EXIT_RESTART_REQUESTED } from '@/lib/node/exit-codes';
import { readIdentity } from '@/lib/node/identity';
import { configureProcessLog, logDebug, logError, logInfo, logWarn } from '@/lib/node/log';
import { LogLevelFollower } from '@/lib/node/log-level-follower';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { setNodeRuntime } from '@/lib/node/runtime';
import { createNodeListener } from '@/lib/tls/listener';
import { warnIfPlainHttpBeyondLoopback } from '@/lib/tls/plain-http-warning';
import { servedCertificate } from '@/lib/tls/served-certificate';
import { advertisedUrlAtStart } from '@/lib/node/advertise';
import { startWorkflowRunner, type TWorkflowRunner } from '@/lib/workflow/node-runner';
import { APP_VERSION } from '@/lib/node/version';

let env: ReturnType<typeof serverEnv>;
try {
  env = serverEnv();
} catch (error) {
  // a setting that cannot work (e.g. ORCH_TRUSTED_PROXIES) stops the node instead of crash-looping
  const reason = error instanceof ZodError ? error.issues.map((issue) => issue.message).join('; ') : String(error);
  logError('server', `invalid environment: ${reason}`);
  process.exit(EXIT_FATAL_CONFIG);
}
const storedIdentity = await readIdentity(env.ORCH_DATA_DIR);
if (!storedIdentity) {
  logError('server', `no node identity in ${env.ORCH_DATA_DIR}; start the node with "orchctl node start"`);
  process.exit(EXIT_FATAL_CONFIG);
}
// from here on the process log is pino: JSON lines (or text for the demo) naming this node
configureProcessLog({ node: storedIdentity.name, format: env.ORCH_LOG_FORMAT });
// the scrape credential that works without the database (lib/metrics/metrics-token.ts)
await ensureMetricsToken(env.ORCH_DATA_DIR);
const cluster = await readClusterIdentity(db());
const standalone = env.ORCH_DATABASE_MODE === 'builtin';
const logAs = (source: string) => (level: 'debug' | 'info' | 'warn' | 'error', message: string) =>
  ({ debug: logDebug, info: logInfo, warn: logWarn, error: logError })[level](source, message);
// after the response that asked for it has gone out
const requestRestart = (reason: string) => setTimeout(() => void shutdown(`restart: ${reason}`, EXIT_RESTART_REQUESTED), 200);
const configSync = new ConfigSync({
  db: db(),
  dataDir: env.ORCH_DATA_DIR,
  nodeId: storedIdentity.id,
  requestRestart,
  log: logAs('config'),
  watchRollouts: !standalone,
});
// a version pushed while this node was down is written before the configuration is loaded
if (!standalone) await configSync.applyAtStart();
// what this process loaded at start; what is on disk may move on (a plugin installed, a push)
const configuration = new LocalConfiguration(env.ORCH_DATA_DIR);
await configuration.load();
// the logLevel server setting, followed at once for the process log and the system log
const logLevel = new LogLevelFollower({
  readLevel: async () => (await configuration.settings()).logLevel,
  onError: (error) => logWarn('server', `cannot read the log level setting: ${String(error)}`),
});
await logLevel.start();

// HTTP, or HTTPS when the node has a certificate (a pushed one is on disk by now); each request is
// classified there (direct, loopback or proxied, client address, protocol, host) before the app
// sees it (lib/tls/listener.ts). Made before the agent: what it serves decides what it advertises.
// (Next.js hands out its request handler before it is prepared; the server listens after that.)
const app = next({ dev: env.ORCH_DEV === '1', dir: PROJECT_ROOT, port: env.ORCH_PORT });
const handle = app.getRequestHandler();
const server = await createNodeListener(env.ORCH_DATA_DIR, (req, res) => void handle(req, res), {
  trustedProxies: trustedProxySet(env.ORCH_TRUSTED_PROXIES),
});
// without --advertise, https:// from the start that serves a certificate (lib/node/advertise.ts)
const identity = {
  ...storedIdentity,
  advertiseUrl: advertisedUrlAtStart(storedIdentity, servedCertificate().state === 'https'),
};

// the agent's database reads time out after about one heartbeat interval (1–10 s), so that a
// database that stops answering never stalls its loop past the fence deadline
const agent: ClusterAgent = new ClusterAgent({
  store: new PgClusterStore(env.DATABASE_URL, () => Math.min(10_000, Math.max(1_000, agent.settings()?.intervalMs ?? 2_000))),
  clock: systemClock,
  node: { id: identity.id, name: identity.name, url: identity.advertiseUrl, version: APP_VERSION },
  clusterId: standalone ? null : cluster.clusterId,
  beliefLog: fileBeliefLog(env.ORCH_DATA_DIR),
  configuration: () => configuration.report(),
  // before a slot is given back, the runs on this node finish their current element and are handed over
  beforeRelease: async (reason) => workflows?.handOver(`the node gives its slot back (${reason})`),
  // a slot just taken: the runs a killed node left are claimed at once, not at the runner's next tick
  onActiveChange: (active) => {
    if (active) workflows?.wake();
  },
  onHeartbeat: (heartbeat, roundTripMs) => {
    observeHeartbeat(roundTripMs);
    configSync.onHeartbeat(heartbeat);
  },
  // after the agent fenced itself: what the old primary acknowledged and the new one lacks is reported, never silent
  onDatabaseFailover: () =>
    void workflows
      ?.reportLostWork()
      .catch((error) => logError('workflows', `cannot compare acknowledged work with the new primary: ${String(error)}`)),
  log: logAs('agent'),
});
setNodeRuntime({
  identity,
  version: APP_VERSION,
  startedAt: new Date(),
  standalone,
  dataDir: env.ORCH_DATA_DIR,
  agent,
  requestRestart,
  resumeRollouts: () => configSync.resumeRollouts(),
  serverSettings: () => configuration.settings(),
});

// none until the agent has started: a slot given back before then has no runs to hand over
let workflows: TWorkflowRunner | undefined = undefined;
let notifications: { stop(): Promise<void> } | undefined = undefined;
let retention: RetentionPruner | undefined = undefined;
await app.prepare();

server.on('error', (error: NodeJS.ErrnoException) => {
  logError('server', error.code === 'EADDRINUSE' ? `port ${env.ORCH_PORT} is already in use` : 'listen failed', error);
  process.exit(EXIT_FATAL_CONFIG);
});

await new Promise<void>((resolve) => server.listen(env.ORCH_PORT, env.ORCH_LISTEN, resolve));
warnIfPlainHttpBeyondLoopback(env.ORCH_LISTEN, identity.advertiseUrl);
await agent.start();
configSync.start();
workflows = await startWorkflowRunner({ db: db(), databaseUrl: env.DATABASE_URL, agent, identity, dataDir: env.ORCH_DATA_DIR });
// on every node, standby included: "no active node" must reach someone (lib/notify/)
notifications = startNotifications({
  db: db(),
  node: { id: identity.id, name: identity.name },
  intervalMs: () => agent.settings()?.intervalMs ?? 2_000,
  log: logAs('notify'),
});
// audit, events, deliveries and old configuration versions, by the retention server settings
retention = new RetentionPruner({
  isActive: () => agent.isActiveNow(),
  limits: () => configuration.settings(),
  prune: (limits) => pruneClusterData(db(), limits),
  log: logAs('retention'),
});
retention.start();
logInfo(
  'server',
  `${identity.name} (${identity.id}) serving ${identity.advertiseUrl} on ${env.ORCH_LISTEN ?? 'every interface'}, port ${env.ORCH_PORT}`,
);

let stopping = false;
async function shutdown(reason: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logInfo('server', `stopping (${reason})`);
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  // runs first (they hand over), then the agent: an active node hands its slot back so that a
  // standby takes over at once
  await configSync.stop().catch((error) => logError('server', 'configuration sync stop failed', error));
  await notifications?.stop().catch((error) => logError('server', 'notifications stop failed', error));
  await retention?.stop();
  await workflows?.stop().catch((error) => logError('server', 'workflow runner stop failed', error));
  await agent.stop().catch((error) => logError('server', 'agent stop failed', error));
  await logLevel.stop();
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  await db()
    .$disconnect()
    .catch(() => {});
  process.exit(exitCode);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// the supervisor is gone (even killed with SIGKILL): do not linger as an orphan
process.on('disconnect', () => void shutdown('supervisor gone'));
