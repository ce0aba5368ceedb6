/** `orchctl node start`: one node in the foreground, supervised, until SIGTERM/SIGINT. */
import { forgetLauncherSecrets, nodeStartEnv, rootPasswordEnv } from '@/lib/env';
import { NodeSupervisor, type TNodeStartOptions } from '@/lib/node/supervisor';
import { isIP } from 'node:net';
import { isAllInterfaces, isLoopbackHost } from '@/lib/node/advertise';
import { logInfo } from '@/lib/node/log';
import { parseConnectionString, type TConnectionString } from '@/lib/db/connection-string';
import { CliError } from './api-client';
import { readSecretFile } from './secret-input';

export type TDatabaseUrlOptions = { databaseUrl?: string; databaseUrlFile?: string };

/** One host or several (postgresql://user@db1:5432,db2:5432/orch?target_session_attrs=read-write). */
function parseDatabaseUrl(value: string, source: string): TConnectionString {
  try {
    return parseConnectionString(value);
  } catch (error) {
    throw new CliError(`${source}: ${(error as Error).message.replace(/^database URL: /, '')}`);
  }
}

/**
 * The shared database's URL: --database-url-file, else --database-url, else ORCH_DATABASE_URL;
 * undefined means the built-in database. A password on the command line is refused rather than
 * taken: every local user can read a process's arguments, the launcher runs for months and is
 * started again on every restart, and a refusal is the one way to make the habit stop. A URL
 * without a password (peer, certificate or .pgpass authentication) may stay on the command line.
 */
export async function resolveDatabaseUrl(options: TDatabaseUrlOptions): Promise<string | undefined> {
  if (options.databaseUrl !== undefined && options.databaseUrlFile !== undefined) {
    throw new CliError('give --database-url or --database-url-file, not both');
  }
  let value: string | undefined;
  let source: string;
  if (options.databaseUrlFile !== undefined) {
    value = await readSecretFile('--database-url-file', options.databaseUrlFile);
    source = `the URL in ${options.databaseUrlFile}`;
  } else if (options.databaseUrl !== undefined) {
    value = options.databaseUrl;
    source = '--database-url';
    const url = parseDatabaseUrl(value, source);
    if (url.password !== undefined) {
      throw new CliError(
        '--database-url holds a password, which every local user can read in the process list; give the URL in ORCH_DATABASE_URL or in a file with --database-url-file instead',
      );
    }
  } else {
    value = nodeStartEnv().ORCH_DATABASE_URL;
    source = 'ORCH_DATABASE_URL';
  }
  if (value !== undefined) parseDatabaseUrl(value, source);
  return value;
}

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
export async function runNode(options: Omit<TNodeStartOptions, 'databaseUrl'> & TDatabaseUrlOptions): Promise<number> {
  const databaseUrl = await resolveDatabaseUrl(options);
  const rootPassword = rootPasswordEnv();
  // held in memory from here on: no child process inherits them
  forgetLauncherSecrets();
  // every file and folder the node (and its server child, which inherits this) creates is its user's only
  process.umask(0o077);
  const supervisor = new NodeSupervisor({
    port: options.port,
    dataDir: options.dataDir,
    name: options.name,
    advertiseUrl: options.advertiseUrl,
    listen: options.listen,
    databaseUrl,
    rootPassword,
    log: (line) => logInfo('node', line),
  });
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
