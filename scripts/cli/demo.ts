/**
 * `orchctl demo` (what `npm start` runs): builds the console when there is no build yet, then
 * starts one shared PostgreSQL and a small cluster of nodes on it, all in this process, and
 * prints where to sign in. Ctrl-C stops the nodes first and the database last.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rootPasswordEnv } from '@/lib/env';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { logError, logInfo } from '@/lib/node/log';
import { isPortFree } from '@/lib/node/ports';
import { NodeSupervisor, type TInitialCluster } from '@/lib/node/supervisor';
import { CliError } from './api-client';
import { waitForHealth } from './node-start';
import { BuildFailed, ensureBuild } from '../ensure-build';

export const DEMO_MAX_NODES = 16;
/** a fresh demo cluster fails over quickly, so that trying it out is not a wait */
const DEMO_CLUSTER: TInitialCluster = { name: 'demo', heartbeatIntervalMs: 1_000, failoverHeartbeats: 5 };
const READY_TIMEOUT_MS = 90_000;

/**
 * The demo keeps its root password beside its data so that it can be printed on every start;
 * a production node prints a generated password only once (lib/node/supervisor.ts).
 */
async function demoRootPassword(dataDir: string): Promise<string> {
  const fromEnv = rootPasswordEnv();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'demo-root-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(12).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

type TDemoNode = { name: string; port: number; url: string; dataDir: string };
type TDemoState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** The shared database and the node supervisors, started and stopped as one. */
class DemoCluster {
  private state: TDemoState = 'idle';
  private database?: TBuiltInDatabase;
  private readonly supervisors = new Map<TDemoNode, NodeSupervisor>();
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private requestStop!: () => void;
  private readonly stopRequested = new Promise<void>((resolve) => (this.requestStop = resolve));
  private resolveDone!: (code: number) => void;
  /** Settles with the exit code once everything has stopped. */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(
    readonly nodes: TDemoNode[],
    private readonly databaseDir: string,
    private readonly rootPassword: string,
    private readonly dev = false,
  ) {}

  /** Starts the database, then node 1 (which creates the cluster), then the others. */
  start(): Promise<void> {
    this.state = 'starting';
    this.starting = this.startAll();
    return this.starting;
  }

  private async startAll(): Promise<void> {
    await mkdir(this.databaseDir, { recursive: true });
    this.database = await startBuiltInDatabase({ dataDir: this.databaseDir });
    logInfo('demo', `shared database started on 127.0.0.1:${this.database.port}`);
    const [first, ...others] = this.nodes;
    if (this.isStopRequested()) return;
    await this.startNode(first);
    // node 1 creates the cluster and takes the first active slot before the others join
    if (this.isStopRequested()) return;
    const healthy = await this.waitUntil(waitForHealth(localUrl(first), READY_TIMEOUT_MS));
    if (healthy === undefined) return;
    if (!healthy) throw new CliError(`${first.name} did not answer on port ${first.port} within ${READY_TIMEOUT_MS / 1000} s`);
    for (const node of others) {
      if (this.isStopRequested()) return;
      await this.startNode(node);
    }
    if (!this.isStopRequested()) this.state = 'running';
  }

  private async startNode(node: TDemoNode): Promise<void> {
    const supervisor = new NodeSupervisor({
      port: node.port,
      dataDir: node.dataDir,
      databaseUrl: this.database!.url,
      name: node.name,
      advertiseUrl: node.url,
      // a demo on one machine: nothing of it is reachable from other hosts
      listen: '127.0.0.1',
      initialCluster: DEMO_CLUSTER,
      rootPassword: this.rootPassword,
      dev: this.dev,
      log: (line) => logInfo(node.name, line),
      logFormat: 'text',
    });
    await supervisor.start();
    this.supervisors.set(node, supervisor);
    void supervisor.done.then((code) => this.onNodeEnded(node, code));
  }

  /** A node that stops on its own (a configuration it cannot run with) is reported; the rest go on. */
  private onNodeEnded(node: TDemoNode, code: number): void {
    this.supervisors.delete(node);
    if (this.state === 'stopping' || this.state === 'stopped') return;
    logError('demo', `${node.name} stopped (exit code ${code})`);
    if (this.supervisors.size === 0) void this.stop(1);
  }

  /** Resolves with the value, or with undefined as soon as a stop is requested. */
  waitUntil<T>(work: Promise<T>): Promise<T | undefined> {
    return Promise.race([work, this.stopRequested.then(() => undefined)]);
  }

  isStopRequested(): boolean {
    return this.state === 'stopping' || this.state === 'stopped';
  }

  /** Every node (in parallel), then the shared database; waits for a start in progress first. */
  stop(exitCode = 0): Promise<void> {
    this.stopping ??= this.stopAll(exitCode);
    return this.stopping;
  }

  private async stopAll(exitCode: number): Promise<void> {
    this.state = 'stopping';
    this.requestStop();
    // whatever a start in progress brings up is in `supervisors`/`database` once it settles;
    // a failed start is reported by whoever called start()
    await this.starting?.catch(() => {});
    await Promise.allSettled([...this.supervisors.values()].map((supervisor) => supervisor.stop(0)));
    await this.stopDatabase();
    this.state = 'stopped';
    this.resolveDone(exitCode);
  }

  private async stopDatabase(): Promise<void> {
    await this.database?.stop().catch((error: unknown) => logError('demo', 'database stop failed', error));
  }
}

function localUrl(node: TDemoNode): string {
  return `http://127.0.0.1:${node.port}`;
}

async function readNodeState(node: TDemoNode): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('/api/health', localUrl(node)), { signal: AbortSignal.timeout(2_000) });
    return response.ok ? ((await response.json()) as { state: string }).state : undefined;
  } catch {
    return undefined;
  }
}

/** Each node's state once all are ACTIVE or STANDBY, or as they are at the deadline. */
async function settledStates(demo: DemoCluster): Promise<(string | undefined)[]> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const states = await Promise.all(demo.nodes.map(readNodeState));
    if (states.every((state) => state === 'ACTIVE' || state === 'STANDBY') || Date.now() > deadline) return states;
    if ((await demo.waitUntil(new Promise((resolve) => setTimeout(() => resolve(true), 250)))) === undefined) return states;
  }
}

async function checkPortsFree(nodes: TDemoNode[]): Promise<void> {
  const last = nodes[nodes.length - 1].port;
  if (last > 65535)
    throw new CliError(`${nodes.length} nodes from port ${nodes[0].port} go past port 65535; choose a lower --base-port`);
  for (const node of nodes) {
    if (!(await isPortFree(node.port))) {
      throw new CliError(
        `port ${node.port} is already in use (the demo needs ports ${nodes[0].port}–${last}); choose another --base-port`,
      );
    }
  }
}

export async function runDemo(options: { nodes: number; basePort: number; dataDir: string; dev?: boolean }): Promise<number> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > DEMO_MAX_NODES) {
    throw new CliError(`--nodes takes a whole number from 1 to ${DEMO_MAX_NODES}`);
  }
  const dataDir = path.resolve(options.dataDir);
  const nodes = Array.from({ length: options.nodes }, (_, index): TDemoNode => {
    const port = options.basePort + index;
    return { name: `node-${index + 1}`, port, url: `http://localhost:${port}`, dataDir: path.join(dataDir, `node-${index + 1}`) };
  });
  await checkPortsFree(nodes);
  // the development server compiles the sources as they are asked for; no build needed
  if (!options.dev) {
    try {
      ensureBuild();
    } catch (error) {
      throw error instanceof BuildFailed ? new CliError(error.message) : error;
    }
  }
  // as root the shared database runs as the postgres user, which must pass through the demo's
  // folder: traversal only (0711), made before the umask below would close it
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  // the demo's data (and the nodes' files in it) is its user's only, as for `node start`
  process.umask(0o077);
  // the first node to start on the empty shared database creates root with this password
  const password = await demoRootPassword(dataDir);

  const demo = new DemoCluster(nodes, path.join(dataDir, 'shared-database'), password, options.dev);
  const onSignal = (signal: NodeJS.Signals) => {
    logInfo('demo', `${signal} received; stopping every node, then the database`);
    void demo.stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await demo.start();
  } catch (error) {
    // a start cut short by Ctrl-C is no error
    if (demo.isStopRequested()) return demo.done;
    await demo.stop(1);
    throw error;
  }
  const states = await settledStates(demo);
  if (!demo.isStopRequested()) {
    const nameWidth = Math.max(...nodes.map((node) => node.name.length));
    console.log('');
    console.log(
      `  Orchestrator Control Center: a demo cluster of ${nodes.length} node${nodes.length === 1 ? '' : 's'} on one shared database`,
    );
    nodes.forEach((node, index) =>
      console.log(`  ${node.name.padEnd(nameWidth)}  ${node.url}  ${states[index] ?? 'not answering'}`),
    );
    console.log(
      `  sign in:   root / ${password}   (the demo's first root password, kept in ${path.join(dataDir, 'demo-root-password')})`,
    );
    console.log(`  data:      ${dataDir}`);
    console.log('  stop:      Ctrl-C');
    console.log('');
  }
  return demo.done;
}
