/**
 * The node launcher: prepares the data directory and the database, then runs the node server as
 * a child process and starts it again when it asks for a restart or crashes (with back-off).
 * Stopping it stops the server first and the built-in database last, leaving no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/api/app-error';
import { ensureAuthSecret, ensureRootUser, ROOT_USER } from '@/lib/auth/bootstrap';
import { ensureCluster } from '@/lib/cluster/ensure-cluster';
import { checkDatabaseReachable } from '@/lib/db/check-reachable';
import { createDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { inheritedEnv, rootPasswordEnv } from '@/lib/env';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { makeDataDirPrivate, prepareDataDir } from '@/lib/node/data-dir';
import { lockDataDir, type TDataDirLock } from '@/lib/node/data-dir-lock';
import { EXIT_FATAL_CONFIG, EXIT_RESTART_REQUESTED } from '@/lib/node/exit-codes';
import { chooseAdvertiseUrl, readHostFacts } from '@/lib/node/advertise';
import { loadOrCreateIdentity, type TNodeIdentity } from '@/lib/node/identity';
import { readMembership, writeMembership, ZMembership, type TMembership } from '@/lib/node/membership';
import { carryOutUseRequest } from '@/lib/database/use-database';
import { redactConnectionText } from '@/lib/db/connection-string';
import {
  readChosenDatabaseUrl,
  readStagedDatabaseUrl,
  readUseRequest,
  removeStagedDatabaseUrl,
  removeUseRequest,
  writeChosenDatabaseUrl,
  writeDatabaseChange,
  type TUseRequest,
} from '@/lib/node/database-choice';
import { SERVER_ENTRY, PROJECT_ROOT } from '@/lib/node/paths';
import { listenProblem } from '@/lib/node/ports';
import { readCertificateFiles } from '@/lib/tls/certificate-files';
import { currentCompiled } from '@/bin/compiled.mjs';

export type TNodeStartOptions = {
  port: number;
  dataDir: string;
  databaseUrl?: string;
  name?: string;
  advertiseUrl?: string;
  /** the address the node listens on (default: every interface) */
  listen?: string;
  /** settings for a cluster created by this node (an empty database); ignored otherwise */
  initialCluster?: TInitialCluster;
  /** serve the console from the sources with Next.js's development server (`npm run dev`) */
  dev?: boolean;
  /** the password of `root` when this node creates it (an empty database); default ORCH_ROOT_PASSWORD, else generated */
  rootPassword?: string;
  log?: (line: string) => void;
  /** the server's process log: JSON lines (default) or text (the demo, read in a terminal) */
  logFormat?: 'json' | 'text';
};

export type TInitialCluster = Parameters<typeof ensureCluster>[1];

type TLaunch = { url: string; mode: 'builtin' | 'shared'; authSecret: string };

type TSupervisorState = 'idle' | 'starting' | 'running' | 'backing-off' | 'stopping' | 'stopped';

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** A server that ran this long before crashing starts again without waiting. */
const STABLE_AFTER_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export class NodeSupervisor {
  private state: TSupervisorState = 'idle';
  private child?: ChildProcess;
  private builtInDatabase?: TBuiltInDatabase;
  private lock?: TDataDirLock;
  private crashes = 0;
  private backoffTimer?: NodeJS.Timeout;
  private dataDir = '';
  private identity?: TNodeIdentity;
  private readonly log: (line: string) => void;
  private resolveDone!: (code: number) => void;
  /** Settles with the exit code the launcher should end with. */
  readonly done: Promise<number>;

  constructor(private readonly options: TNodeStartOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Prepares everything and starts the server; throws AppError for anything the operator must fix. */
  async start(): Promise<TNodeIdentity> {
    this.state = 'starting';
    try {
      this.dataDir = await prepareDataDir(this.options.dataDir);
      // before anything in the directory changes: a second launcher must not touch the first one's database
      this.lock = await lockDataDir(this.dataDir);
      await makeDataDirPrivate(this.dataDir);
      const problem = await listenProblem(this.options.port, this.options.listen);
      if (problem === 'not-local') {
        throw new AppError('VALIDATION', `--listen ${this.options.listen} is not an address of this host`, { field: 'listen' });
      }
      if (problem === 'in-use') {
        throw new AppError(
          'PORT_IN_USE',
          `port ${this.options.port} is already in use${this.options.listen ? ` on ${this.options.listen}` : ''}`,
          { field: 'port' },
        );
      }
      this.identity = await loadOrCreateIdentity(this.dataDir, {
        port: this.options.port,
        name: this.options.name,
        advertiseUrl: this.options.advertiseUrl,
        // the server sets the scheme again at each start, from the certificate it serves (advertisedUrlAtStart)
        defaultAdvertiseUrl: chooseAdvertiseUrl(
          this.options.port,
          this.options.listen,
          await readHostFacts(),
          (await hasCertificate(this.dataDir)) ? 'https' : 'http',
        ),
      });
      const launch = await this.prepareLaunch();
      this.spawnServer(launch);
      return this.identity;
    } catch (error) {
      await this.builtInDatabase?.stop().catch(() => {});
      await this.lock?.release().catch(() => {});
      this.state = 'stopped';
      throw error;
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and then the built-in database. */
  async stop(exitCode = 0): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    clearTimeout(this.backoffTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await this.builtInDatabase?.stop().catch((error) => this.log(`built-in database stop failed: ${String(error)}`));
    await rm(path.join(this.dataDir, 'run', 'server.pid'), { force: true }).catch(() => {});
    // last: until here, a second launcher on this directory is refused
    await this.lock?.release().catch(() => {});
    this.state = 'stopped';
    this.resolveDone(exitCode);
  }

  /**
   * Decided again on every (re)start: the database chosen from the console (database-url in the
   * data directory), else --database-url if given, else the cluster this node joined
   * (cluster.json), else the built-in database. Joining or leaving is "write the membership,
   * ask for a restart".
   */
  private async prepareLaunch(): Promise<TLaunch> {
    const database = await this.openDatabase();
    await applyMigrations(database.url);
    return { ...database, authSecret: await this.bootstrap(database.url) };
  }

  private async openDatabase(): Promise<Omit<TLaunch, 'authSecret'>> {
    const membership = await readMembership(this.dataDir);
    const useRequest = await readUseRequest(this.dataDir);
    if (useRequest) await this.carryOutUse(useRequest);
    await this.switchToStagedUrl(membership);
    // chosen from the console (Use this database, Move the whole cluster): it outranks the launcher's URL
    const chosen = await readChosenDatabaseUrl(this.dataDir);
    const shared = chosen ?? this.options.databaseUrl ?? (await readMembership(this.dataDir))?.databaseUrl;
    if (shared !== undefined) {
      if (chosen !== undefined && this.options.databaseUrl !== undefined && chosen !== this.options.databaseUrl) {
        this.log(
          'using the database chosen from the console (database-url in the data directory), not the one the launcher was given',
        );
      }
      if (this.builtInDatabase) {
        await this.builtInDatabase.stop();
        this.builtInDatabase = undefined;
        this.log(
          membership
            ? `built-in database stopped: this node is a member of cluster ${membership.clusterName} now`
            : 'built-in database stopped: this node uses an external database now',
        );
      }
      await checkDatabaseReachable(shared);
      return { url: shared, mode: 'shared' };
    }
    return { url: (await this.startBuiltIn()).url, mode: 'builtin' };
  }

  private async startBuiltIn(): Promise<TBuiltInDatabase> {
    if (!this.builtInDatabase) {
      this.builtInDatabase = await startBuiltInDatabase({ dataDir: this.dataDir });
      this.log(`built-in database started on 127.0.0.1:${this.builtInDatabase.port}`);
    }
    return this.builtInDatabase;
  }

  /** Use this database, asked for by the server before it restarted: only from the built-in database. */
  private async carryOutUse(request: TUseRequest): Promise<void> {
    const onBuiltIn =
      this.options.databaseUrl === undefined &&
      !(await readMembership(this.dataDir)) &&
      !(await readChosenDatabaseUrl(this.dataDir));
    if (!onBuiltIn) {
      await removeUseRequest(this.dataDir);
      return;
    }
    await carryOutUseRequest(this.dataDir, (await this.startBuiltIn()).url, request, this.log);
  }

  /**
   * Move the whole cluster: the URL this node tested is taken at this restart (the rolling reset
   * restarts the nodes one at a time). One it cannot reach now is dropped, and the node stays on
   * the database it used.
   */
  private async switchToStagedUrl(membership: TMembership | undefined): Promise<void> {
    const staged = await readStagedDatabaseUrl(this.dataDir);
    if (staged === undefined) return;
    const shown = redactConnectionText(staged);
    try {
      await checkDatabaseReachable(staged);
      const moved =
        membership && ZMembership.safeParse({ ...membership, databaseUrl: staged }).success
          ? { ...membership, databaseUrl: staged }
          : undefined;
      const keepInMembership =
        moved !== undefined &&
        this.options.databaseUrl === undefined &&
        (await readChosenDatabaseUrl(this.dataDir)) === undefined;
      if (keepInMembership) await writeMembership(this.dataDir, moved);
      else await writeChosenDatabaseUrl(this.dataDir, staged);
      await writeDatabaseChange(this.dataDir, { operation: 'move', outcome: 'done', message: `this node uses ${shown} now` });
      this.log(`database moved: this node uses ${shown} now`);
    } catch (error) {
      const message = `moving to ${shown} failed: ${error instanceof Error ? error.message : String(error)}; this node stays on its database`;
      await writeDatabaseChange(this.dataDir, { operation: 'move', outcome: 'failed', message });
      this.log(message);
    } finally {
      await removeStagedDatabaseUrl(this.dataDir);
    }
  }

  private async bootstrap(databaseUrl: string): Promise<string> {
    const db = createDb(databaseUrl, { max: 1 });
    try {
      const root = await ensureRootUser(db, this.options.rootPassword ?? rootPasswordEnv());
      if (root.created && root.generatedPassword) {
        // Shown once: only its hash is stored.
        this.log(`created administrator "${ROOT_USER}" with password: ${root.generatedPassword}`);
      } else if (root.created) {
        this.log(`created administrator "${ROOT_USER}" with the password from ORCH_ROOT_PASSWORD`);
      }
      await ensureCluster(db, this.options.initialCluster);
      return await ensureAuthSecret(db);
    } finally {
      await db.$disconnect();
    }
  }

  private spawnServer(launch: TLaunch): void {
    const startedAt = Date.now();
    // the compiled server when it was made from the sources as they are now, else the sources through tsx
    const compiled = currentCompiled(PROJECT_ROOT, 'node-server');
    const child = spawn(process.execPath, compiled ? [compiled] : ['--import', 'tsx', SERVER_ENTRY], {
      cwd: PROJECT_ROOT,
      env: inheritedEnv({
        DATABASE_URL: launch.url,
        ORCH_DATA_DIR: this.dataDir,
        ORCH_PORT: String(this.options.port),
        ORCH_LISTEN: this.options.listen ?? '',
        NEXTAUTH_SECRET: launch.authSecret,
        // next-auth takes the origin of each request, so the console works under any address.
        AUTH_TRUST_HOST: 'true',
        ORCH_SUPERVISED: '1',
        ORCH_DATABASE_MODE: launch.mode,
        ORCH_DEV: this.options.dev ? '1' : '0',
        NODE_ENV: this.options.dev ? 'development' : 'production',
        ORCH_LOG_FORMAT: this.options.logFormat ?? 'json',
      }),
      // the IPC channel closes when the supervisor dies, and the server then exits too
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.state = 'running';
    this.writePidFile('server.pid', child.pid ?? 0).catch((error) => this.log(`cannot write server.pid: ${String(error)}`));
    child.on('exit', (code, signal) => this.onServerExit(code, signal, Date.now() - startedAt));
  }

  private onServerExit(code: number | null, signal: NodeJS.Signals | null, ranMs: number) {
    this.child = undefined;
    if (this.state === 'stopping' || this.state === 'stopped') return;
    if (code === EXIT_FATAL_CONFIG) {
      this.log('server cannot start with this configuration; stopping the node');
      void this.stop(1);
      return;
    }
    if (code === 0 && signal === null) {
      void this.stop(0);
      return;
    }
    if (code === EXIT_RESTART_REQUESTED) {
      this.log('server asked for a restart; starting it again');
      this.crashes = 0;
      void this.relaunch();
      return;
    }
    if (ranMs > STABLE_AFTER_MS) this.crashes = 0;
    this.log(`server ended (${signal ?? `exit code ${code}`}); starting it again in ${this.nextBackoff()} ms`);
    this.scheduleRelaunch();
  }

  private nextBackoff(): number {
    return BACKOFF_MS[Math.min(this.crashes, BACKOFF_MS.length - 1)];
  }

  private scheduleRelaunch(): void {
    const delay = this.nextBackoff();
    this.crashes += 1;
    this.state = 'backing-off';
    this.backoffTimer = setTimeout(() => {
      if (this.state === 'backing-off') void this.relaunch();
    }, delay);
  }

  /** The database is chosen again (a join or a leave may have changed it); failures back off and retry. */
  private async relaunch(): Promise<void> {
    try {
      const launch = await this.prepareLaunch();
      if (this.state === 'stopping' || this.state === 'stopped') return;
      this.spawnServer(launch);
    } catch (error) {
      if (this.state === 'stopping' || this.state === 'stopped') return;
      this.log(
        `cannot start the server: ${error instanceof Error ? error.message : String(error)}; trying again in ${this.nextBackoff()} ms`,
      );
      this.scheduleRelaunch();
    }
  }

  private async writePidFile(name: string, pid: number): Promise<void> {
    const dir = path.join(this.dataDir, 'run');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, name), `${pid}\n`, { mode: 0o600 });
  }
}

/** Whether the data directory holds a certificate pair (whether the server can use it, it decides itself). */
async function hasCertificate(dataDir: string): Promise<boolean> {
  return (await readCertificateFiles(dataDir).catch(() => null)) !== null;
}
