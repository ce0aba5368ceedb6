/**
 * Real node processes for the benchmarks: `orchctl node start`, each in a process group of its
 * own, so that one kill -9 takes the supervisor and its server down at once (as a crashed
 * machine would), and so that no node outlives the benchmark. The last lines of each node's
 * output are kept for error reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { THealth } from '@/lib/cluster/health';
import { inheritedEnv } from '@/lib/env';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { sleep } from './stats';

const ORCHCTL = path.join(PROJECT_ROOT, 'bin', 'orchctl.mjs');
const KEPT_LINES = 200;
const STOP_GRACE_MS = 20_000;

/** Every node started and not yet seen to exit: what an interrupted run must kill. */
const running = new Set<BenchNode>();

export type TBenchNodeOptions = {
  port: number;
  dataDir: string;
  rootPassword: string;
  /** a shared database; without it the node runs on its built-in one */
  databaseUrl?: string;
  name?: string;
  /** TESTS ONLY: the file that arms this node's freeze points (lib/cluster/test-freeze.ts) */
  freezeFile?: string;
  /** more environment for the node's processes */
  env?: Record<string, string>;
  /** a host of its own: the node runs in this network namespace and listens on its address */
  host?: { namespace: string; address: string };
};

type TRun = { child: ChildProcess; exited: Promise<void> };

/** One node (a port and a data directory) that can be started again after it was killed. */
export class BenchNode {
  private run?: TRun;
  private lines: string[] = [];

  constructor(readonly options: TBenchNodeOptions) {}

  get url(): string {
    return `http://${this.options.host?.address ?? '127.0.0.1'}:${this.options.port}`;
  }

  get label(): string {
    return this.options.name ?? `port ${this.options.port}`;
  }

  start(): void {
    if (this.run) throw new Error(`${this.label} is already running`);
    const { port, dataDir, databaseUrl, name, rootPassword, freezeFile, host, env } = this.options;
    const args = [ORCHCTL, 'node', 'start', '--port', String(port), '--data-dir', dataDir];
    if (name) args.push('--name', name);
    // benchmarks run on one machine: loopback only, advertised as http://localhost:PORT; a node
    // on a host of its own listens on that host's address (`ip netns exec` runs node in place)
    args.push('--listen', host?.address ?? '127.0.0.1');
    const [command, commandArgs] = host
      ? ['ip', ['netns', 'exec', host.namespace, process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command, commandArgs, {
      detached: true, // its own process group: see killGroup()
      stdio: ['ignore', 'pipe', 'pipe'],
      // the database URL holds a password: the environment, never the command line
      env: inheritedEnv({
        ORCH_ROOT_PASSWORD: rootPassword,
        ORCH_DATABASE_URL: databaseUrl ?? '',
        ...(freezeFile ? { ORCH_TEST_FREEZE_FILE: freezeFile } : {}),
        ...env,
      }),
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        this.lines.push(...chunk.split('\n').filter(Boolean));
        if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
      });
    }
    const run: TRun = { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
    this.run = run;
    running.add(this);
    void run.exited.then(() => {
      if (this.run === run) this.run = undefined;
      running.delete(this);
    });
  }

  isRunning(): boolean {
    return this.run !== undefined;
  }

  /** The supervisor's pid, which is also its process group's id; undefined when not running. */
  pid(): number | undefined {
    return this.run?.child.pid;
  }

  output(): string {
    return this.lines.slice(-40).join('\n');
  }

  /** A signal to the node's whole process group: supervisor, server (and a built-in database). */
  killGroup(signal: NodeJS.Signals): void {
    const pid = this.run?.child.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  }

  /** kill -9 of the whole node; resolves once the supervisor has exited. */
  async kill(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.killGroup('SIGKILL');
    await run.exited;
    await this.waitGroupGone(run, 5_000);
  }

  /** SIGTERM to the group, then SIGKILL if it has not ended after a grace period. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.killGroup('SIGTERM');
    const timer = setTimeout(() => this.killGroup('SIGKILL'), STOP_GRACE_MS);
    await run.exited;
    clearTimeout(timer);
    await this.waitGroupGone(run, 5_000);
  }

  /** GET /api/health; null when the node does not answer (in time). */
  async health(timeoutMs = 1_000): Promise<THealth | null> {
    const abort = new AbortController();
    // a plain timer aborts it: the answer's body too, not only the connection, must come in time
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(`${this.url}/api/health`, { signal: abort.signal });
      return response.ok ? ((await response.json()) as THealth) : null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls /api/health until `accept` holds; fails early when the node exits. */
  async waitForHealth(accept: (health: THealth) => boolean, what: string, timeoutMs = 120_000): Promise<THealth> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.run) throw new Error(`${this.label} exited while waiting until it is ${what}:\n${this.output()}`);
      const health = await this.health();
      if (health && accept(health)) return health;
      await sleep(50);
    }
    throw new Error(`${this.label} was not ${what} within ${timeoutMs / 1000} s:\n${this.output()}`);
  }

  /** After the supervisor exits, its server may still be on its way out: wait, then make sure. */
  private async waitGroupGone(run: TRun, timeoutMs: number): Promise<void> {
    const pgid = run.child.pid!;
    const deadline = performance.now() + timeoutMs;
    while (isGroupAlive(pgid) && performance.now() < deadline) await sleep(20);
    if (!isGroupAlive(pgid)) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      return;
    }
    const lastDeadline = performance.now() + 2_000;
    while (isGroupAlive(pgid) && performance.now() < lastDeadline) await sleep(20);
  }
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** For an interrupted run: kill -9 every node still running, synchronously. */
export function killAllNodes(): void {
  for (const node of running) node.killGroup('SIGKILL');
}
