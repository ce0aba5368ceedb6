/**
 * The node server process: the Next.js console and API plus, in the same process, the cluster
 * agent (started exactly once, here — not from a page, not at build time). Its supervisor
 * (lib/node/supervisor.ts) starts it with the environment that lib/env.ts validates.
 */
import http from 'node:http';
import next from 'next';
import { ClusterAgent } from '@/lib/cluster/agent';
import { CLIENT_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { db } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import { EXIT_FATAL_CONFIG } from '@/lib/node/exit-codes';
import { readIdentity } from '@/lib/node/identity';
import { logError, logInfo } from '@/lib/node/log';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { setNodeRuntime } from '@/lib/node/runtime';
import { APP_VERSION } from '@/lib/node/version';

const env = serverEnv();
const identity = await readIdentity(env.ORCH_DATA_DIR);
if (!identity) {
  logError('server', `no node identity in ${env.ORCH_DATA_DIR}; start the node with "orchctl node start"`);
  process.exit(EXIT_FATAL_CONFIG);
}

const agent = new ClusterAgent();
setNodeRuntime({ identity, version: APP_VERSION, startedAt: new Date(), status: () => agent.status() });

const app = next({ dev: false, dir: PROJECT_ROOT, port: env.ORCH_PORT });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  // the TCP peer, for sign-in rate limits; whatever a client put in this header is replaced
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? 'unknown';
  void handle(req, res);
});

server.on('error', (error: NodeJS.ErrnoException) => {
  logError('server', error.code === 'EADDRINUSE' ? `port ${env.ORCH_PORT} is already in use` : 'listen failed', error);
  process.exit(EXIT_FATAL_CONFIG);
});

await new Promise<void>((resolve) => server.listen(env.ORCH_PORT, resolve));
await agent.start();
logInfo('server', `${identity.name} (${identity.id}) serving ${identity.advertiseUrl} on port ${env.ORCH_PORT}`);

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logInfo('server', `stopping (${reason})`);
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  await agent.stop().catch((error) => logError('server', 'agent stop failed', error));
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  await db().$disconnect().catch(() => {});
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// the supervisor is gone (even killed with SIGKILL): do not linger as an orphan
process.on('disconnect', () => void shutdown('supervisor gone'));
