/** `orchctl node start`: one node in the foreground, supervised, until SIGTERM/SIGINT. */
import { NodeSupervisor, type TNodeStartOptions } from '@/lib/node/supervisor';
import { isIP } from 'node:net';
import { isAllInterfaces, isLoopbackHost } from '@/lib/node/advertise';
import { logInfo } from '@/lib/node/log';

/** Polls /api/health until it answers; gives up at the deadline or as soon as `cancelled` says so. */
export async function waitForHealth(url: string, timeoutMs = 60_000, cancelled: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled()) {
    try {
      const response = await fetch(new URL('/api/health', url), { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** Where this machine reaches the node it started: loopback, unless it listens on one other address. */
function localUrl(port: number, listen: string | undefined): string {
  if (isAllInterfaces(listen) || isLoopbackHost(listen!)) return `http://127.0.0.1:${port}`;
  return `http://${isIP(listen!) === 6 ? `[${listen}]` : listen}:${port}`;
}

/** Runs the node until it is stopped; resolves with the process exit code. */
export async function runNode(options: TNodeStartOptions): Promise<number> {
  const supervisor = new NodeSupervisor({ ...options, log: (line) => logInfo('node', line) });
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    logInfo('node', `${signal} received; stopping`);
    stopRequested = true;
    void supervisor.stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed

  let ended = false;
  void supervisor.done.then(() => (ended = true));
  const identity = await supervisor.start();
  if (stopRequested) await supervisor.stop(0);
  // a stop, or a server that cannot start, ends the wait (else the launcher would linger until the deadline)
  else if (await waitForHealth(localUrl(options.port, options.listen), 60_000, () => stopRequested || ended)) {
    logInfo('node', `ready: ${identity.name} at ${identity.advertiseUrl}`);
  }
  return supervisor.done;
}
