/**
 * Secrets given to orchctl never stay where every local user can read them (a process's
 * arguments), and one data directory serves one node at a time.
 *
 * The CLI's passwords are checked against a stand-in API that records what it is sent and, for
 * the process-list check, holds its answer until the check is done; the node checks run real nodes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@/lib/node/ports';
import { processStartTime } from '@/lib/node/data-dir-lock';
import { createTestDatabase } from '../helpers/database';
import { isAlive, runOrchctl, startNode, stopAllNodes } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';
import { commandLineOf, processTree } from '../helpers/processes';

const ORCHCTL = path.resolve(import.meta.dirname, '..', '..', 'bin', 'orchctl.mjs');

type TRecorded = { authorization?: string; body: string };

/** A stand-in node API: records each request, and answers 401 once `release` is called (at once by default). */
class RecordingApi {
  readonly requests: TRecorded[] = [];
  private holding = false;
  private held: (() => void)[] = [];
  private server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      this.requests.push({ authorization: request.headers.authorization, body });
      const answer = () => {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'recorded' } }));
      };
      if (this.holding) this.held.push(answer);
      else answer();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  /** The password of the last request's HTTP Basic credentials. */
  lastPassword(): string | undefined {
    const header = this.requests.at(-1)?.authorization;
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    return decoded.slice(decoded.indexOf(':') + 1);
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * `orchctl node start` that is expected to refuse: its result, or, if it is still running at the
 * deadline (it accepted what it should have refused), a failure saying so, the node stopped.
 */
async function startExpectingRefusal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [ORCHCTL, 'node', 'start', ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ORCH_DATABASE_URL: '', NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 60_000));
  const outcome = await Promise.race([exited, deadline]);
  if (outcome === 'running') {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    throw new Error(`node start ${args.join(' ')} was not refused: it still ran after 60 s`);
  }
  return { code: outcome, stderr };
}

let api: RecordingApi;
let scratch: string;

beforeAll(async () => {
  api = await new RecordingApi().start();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'orch-cli-secrets-'));
});
afterAll(async () => {
  await api.close();
  await stopAllNodes();
});

describe("the CLI's passwords", () => {
  it('a local user reading /proc/PID/cmdline of orchctl does not see --password or --seed-password', async () => {
    api.hold();
    const child = spawn(
      process.execPath,
      [
        ORCHCTL,
        'join',
        '--url',
        api.url,
        '--user',
        'root',
        '--password',
        'cmdline-secret-1',
        '--seed',
        'http://127.0.0.1:9',
        '--seed-user',
        'admin',
        '--seed-password=cmdline-secret-2',
      ],
      { stdio: 'ignore', env: { ...process.env, ORCH_USER: '', ORCH_PASSWORD: '', ORCH_TOKEN: '' } },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      // once the request arrives, orchctl has parsed its arguments and runs on
      await pollUntil(() => api.requests.length > 0, { what: 'the join request' });
      const commandLine = commandLineOf(child.pid!);
      expect(commandLine).toContain('join');
      expect(commandLine).not.toContain('cmdline-secret-1');
      expect(commandLine).not.toContain('cmdline-secret-2');
      expect(api.lastPassword()).toBe('cmdline-secret-1');
      expect(JSON.parse(api.requests.at(-1)!.body).password).toBe('cmdline-secret-2');
    } finally {
      api.release();
      await exited;
    }
  });

  it('takes them from --password-file and --seed-password-file, or from ORCH_PASSWORD and ORCH_SEED_PASSWORD', async () => {
    await writeFile(path.join(scratch, 'password'), 'from-a-file\n', { mode: 0o600 });
    await writeFile(path.join(scratch, 'seed-password'), 'seed-from-a-file\n', { mode: 0o600 });
    const seedArgs = ['join', '--url', api.url, '--user', 'root', '--seed', 'http://127.0.0.1:9', '--seed-user', 'admin'];

    await runOrchctl([
      ...seedArgs,
      '--password-file',
      path.join(scratch, 'password'),
      '--seed-password-file',
      path.join(scratch, 'seed-password'),
    ]);
    expect(api.lastPassword()).toBe('from-a-file');
    expect(JSON.parse(api.requests.at(-1)!.body).password).toBe('seed-from-a-file');

    await runOrchctl(seedArgs, { ORCH_PASSWORD: 'from-the-environment', ORCH_SEED_PASSWORD: 'seed-from-the-environment' });
    expect(api.lastPassword()).toBe('from-the-environment');
    expect(JSON.parse(api.requests.at(-1)!.body).password).toBe('seed-from-the-environment');
  });

  it('refuses a missing or empty password file, and a password given twice, in one line', async () => {
    const before = api.requests.length;
    const missing = await runOrchctl([
      'status',
      '--url',
      api.url,
      '--user',
      'root',
      '--password-file',
      path.join(scratch, 'nothing-here'),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe(`orchctl: --password-file ${path.join(scratch, 'nothing-here')}: cannot read it (ENOENT)`);
    await writeFile(path.join(scratch, 'empty'), '');
    const empty = await runOrchctl([
      'status',
      '--url',
      api.url,
      '--user',
      'root',
      '--password-file',
      path.join(scratch, 'empty'),
    ]);
    expect(empty.stderr.trim()).toBe(`orchctl: --password-file ${path.join(scratch, 'empty')}: the file is empty`);
    const twice = await runOrchctl([
      'status',
      '--url',
      api.url,
      '--user',
      'root',
      '--password',
      'x',
      '--password-file',
      path.join(scratch, 'password'),
    ]);
    expect(twice.stderr.trim()).toBe('orchctl: give --password or --password-file, not both');
    expect(api.requests.length, 'nothing was sent').toBe(before);
  });

  it('asks on a terminal without echoing what is typed', async () => {
    if (!existsSync('/usr/bin/script')) throw new Error('/usr/bin/script (util-linux) is needed to give orchctl a terminal');
    const command = `${process.execPath} ${ORCHCTL} status --url ${api.url} --user root`;
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ORCH_USER: '', ORCH_PASSWORD: '', ORCH_TOKEN: '' },
    });
    let terminal = '';
    child.stdout.on('data', (chunk) => (terminal += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await pollUntil(() => terminal.includes('Password of root:'), { what: 'the prompt', timeoutMs: 60_000 });
    child.stdin.write('typed-at-the-prompt\r');
    await exited;
    expect(api.lastPassword()).toBe('typed-at-the-prompt');
    expect(terminal).not.toContain('typed-at-the-prompt');
  });
});

describe('node start and the database password', () => {
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  it('refuses a password in --database-url with one line, and starts nothing', async () => {
    const dataDir = path.join(scratch, 'refused');
    const result = await startExpectingRefusal([
      '--port',
      String(await findFreePort()),
      '--data-dir',
      dataDir,
      '--database-url',
      databaseUrl,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      'orchctl: --database-url holds a password, which every local user can read in the process list; give the URL in ORCH_DATABASE_URL or in a file with --database-url-file instead',
    );
    expect(existsSync(dataDir), 'no data directory made').toBe(false);
  });

  it("a local user reading /proc/PID/cmdline sees only the file's name with --database-url-file", async () => {
    const file = path.join(scratch, 'database-url');
    await writeFile(file, `${databaseUrl}\n`, { mode: 0o600 });
    const node = await startNode({ name: 'from-file', args: ['--database-url-file', file] });
    const password = decodeURIComponent(new URL(databaseUrl).password);
    const tree = processTree(node.pid);
    expect(tree).toContain(node.serverPid());
    expect(commandLineOf(node.pid)).toContain(file);
    for (const pid of tree) expect(commandLineOf(pid), `/proc/${pid}/cmdline`).not.toContain(password);
    // the server gets the URL in its environment, readable by the node's user only
    const serverEnvironment = readFileSync(`/proc/${node.serverPid()}/environ`, 'utf8').split('\0');
    expect(serverEnvironment).toContain(`DATABASE_URL=${databaseUrl}`);
    expect(
      serverEnvironment.some((entry) => entry.startsWith('ORCH_DATABASE_URL=')),
      'the launcher kept ORCH_DATABASE_URL to itself',
    ).toBe(false);
    await node.stop();
  });
});

describe('one node per data directory', () => {
  it('a second node start on the same data directory is refused with one line, and the first node keeps its database', async () => {
    const first = await startNode({ name: 'first' });
    const database = first.databasePid();
    expect(isAlive(database)).toBe(true);

    const second = await startExpectingRefusal(['--port', String(await findFreePort()), '--data-dir', first.dataDir]);
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim()).toBe(`orchctl: a node is already running on data directory ${first.dataDir} (pid ${first.pid})`);
    expect(isAlive(database), "the first node's built-in database").toBe(true);
    expect((await fetch(`${first.url}/api/health`)).ok).toBe(true);
    await first.stop();
  });

  it('a node killed with kill -9 starts again on its data directory: the lock does not go stale', async () => {
    const killed = await startNode({ name: 'killed' });
    killed.killGroup('SIGKILL');
    await killed.exited;
    const lock = path.join(killed.dataDir, 'run', 'supervisor.pid');
    expect(readFileSync(lock, 'utf8').split('\n')[0], 'the killed launcher left its lock').toBe(String(killed.pid));
    const again = await startNode({ dataDir: killed.dataDir, name: 'killed' });
    expect(readFileSync(lock, 'utf8').split('\n')[0]).toBe(String(again.pid));
    await again.stop();

    // a recorded pid that now belongs to another process (one that started at another time) is no owner either
    const liveStranger = process.pid;
    await writeFile(lock, `${liveStranger}\n${Number(processStartTime(liveStranger)) + 1}\n`);
    const third = await startNode({ dataDir: killed.dataDir, name: 'killed' });
    expect((await fetch(`${third.url}/api/health`)).ok).toBe(true);
    await third.stop();
    expect(await readdir(path.join(killed.dataDir, 'run')).catch(() => [])).not.toContain('supervisor.pid');
  });
});
