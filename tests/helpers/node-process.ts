/**
 * Real node processes for tests: `orchctl node start` in its own process group, its output
 * kept, stopped (or killed) at the end of the test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from './poll';

export const ROOT_PASSWORD = 'root-password-for-tests';
const ORCHCTL = path.resolve(import.meta.dirname, '..', '..', 'bin', 'orchctl.mjs');
const running = new Set<NodeProcess>();

export type TStartNodeOptions = {
  dataDir?: string;
  databaseUrl?: string;
  port?: number;
  name?: string;
  /** --listen (default 127.0.0.1, so the node advertises http://localhost:PORT); null: none given */
  listen?: string | null;
  /** --advertise */
  advertise?: string;
  env?: Record<string, string>;
  /** more arguments for `node start` */
  args?: string[];
  /** wait until /api/health answers (default true) */
  waitReady?: boolean;
};

export class NodeProcess {
  private lines: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    readonly host = '127.0.0.1',
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean)));
    }
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.lines.join('\n');
  }

  /** The pid the supervisor recorded for its server child. */
  serverPid(): number | undefined {
    const file = path.join(this.dataDir, 'run', 'server.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /** The built-in PostgreSQL's postmaster pid, when this node runs one. */
  databasePid(): number | undefined {
    const file = path.join(this.dataDir, 'database', 'pgdata', 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** SIGKILL to the whole process group: supervisor, server and built-in database at once. */
  killGroup(signal: NodeJS.Signals = 'SIGKILL'): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function startNode(options: TStartNodeOptions = {}): Promise<NodeProcess> {
  const port = options.port ?? (await findFreePort());
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'orch-node-')));
  const args = [ORCHCTL, 'node', 'start', '--port', String(port), '--data-dir', dataDir];
  if (options.name) args.push('--name', options.name);
  const listen = options.listen === undefined ? '127.0.0.1' : options.listen;
  if (listen !== null) args.push('--listen', listen);
  if (options.advertise) args.push('--advertise', options.advertise);
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    detached: true, // its own process group, so a test can kill the node's whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
    // the database URL holds a password: the environment, never the command line
    env: {
      ...process.env,
      ORCH_DATABASE_URL: options.databaseUrl ?? '',
      ORCH_ROOT_PASSWORD: ROOT_PASSWORD,
      NEXT_TELEMETRY_DISABLED: '1',
      ...options.env,
    },
  });
  const node = new NodeProcess(child, port, dataDir);
  if (options.waitReady !== false) {
    await Promise.race([
      pollUntil(() => fetch(`${node.url}/api/health`).then((r) => r.ok), { timeoutMs: 90_000, what: `node on port ${port}` }),
      node.exited.then((code) => {
        throw new Error(`node exited (${code}) before it was ready:\n${node.output()}`);
      }),
    ]);
  }
  return node;
}

/** Stops every node a test file started and did not stop itself. */
export async function stopAllNodes(): Promise<void> {
  await Promise.all(
    [...running].map(async (node) => {
      node.killGroup('SIGTERM');
      const timer = setTimeout(() => node.killGroup('SIGKILL'), 20_000);
      await node.exited;
      clearTimeout(timer);
    }),
  );
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs orchctl to completion and returns its exit code and output. */
export function runOrchctl(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ORCHCTL, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ORCH_USER: '', ORCH_PASSWORD: '', ORCH_TOKEN: '', NEXT_TELEMETRY_DISABLED: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
