/**
 * Plugin actions for the "call plugin action" element. The node loads the packages in
 * `<dataDir>/plugins/` once, when the runner starts (an installed plugin is used after a restart,
 * docs/plugins.md), and runs each action in a node process of its own
 * (lib/workflow/plugin-process.mjs), never on this thread, which heartbeats and serves HTTP:
 *
 * - the process gets the package's code and the inputs as JSON text and answers JSON text, which
 *   this side reads up to a byte cap and parses; no object the plugin made ever reaches this
 *   process, so no getter, setter or toJSON of the plugin runs here;
 * - its V8 heap is capped (PLUGIN_MEMORY_MB), and it is killed when its resident memory passes
 *   PLUGIN_RESIDENT_MB, or it used PLUGIN_ACTION_CPU_MS of CPU, or PLUGIN_ACTION_TIMEOUT_MS went
 *   by: a loop or an allocation without end costs that run its action, never the node its
 *   heartbeat;
 * - it starts with an empty environment (no database URL, no secrets) and under node's
 *   permission model (no file system, no child processes, no workers).
 *
 * A fresh process per action keeps actions from seeing each other; one is started ahead, so that
 * an action does not wait for node to boot (docs/plugins.md gives the cost).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { readDisabledPlugins } from '@/lib/plugins/plugin-switches';
import { parsePluginPackage, PLUGIN_FILE_EXTENSION, type TPluginManifest } from '@/lib/plugins/package';
import {
  byteLength,
  describeBytes,
  MAX_PLUGIN_OUTPUT_BYTES,
  MAX_PLUGIN_PROCESSES,
  MAX_STRING_BYTES,
  MAX_VARIABLES_BYTES,
  PLUGIN_ACTION_CPU_MS,
  PLUGIN_ACTION_TIMEOUT_MS,
  PLUGIN_MEMORY_MB,
  PLUGIN_RESIDENT_MB,
  PLUGIN_START_TIMEOUT_MS,
} from '@/lib/workflow/limits';
import { RunFailure } from '@/lib/workflow/run-failure';

export { PLUGIN_ACTION_TIMEOUT_MS };

/** Linux's USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;
const CPU_CHECK_EVERY_MS = 50;

/**
 * A process's CPU time so far in ms (user + system, all its threads) and resident memory in MiB,
 * or undefined where /proc has none.
 */
function usageOf(pid: number): { cpuMs: number; residentMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const residentKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND, residentMb: residentKb / 1024 };
  } catch {
    return undefined;
  }
}

const OUT_OF_MEMORY = `it ran out of memory (a plugin action may use ${PLUGIN_MEMORY_MB} MiB of heap, ${PLUGIN_RESIDENT_MB} MiB in all) and was stopped`;

const PROCESS_SCRIPT = fileURLToPath(new URL('./plugin-process.mjs', import.meta.url));
/** What this side reads of a process's answer before it stops listening: the result cap and the envelope. */
const MAX_ANSWER_BYTES = MAX_PLUGIN_OUTPUT_BYTES + 4 * 1024;
const MAX_STDERR_CHARACTERS = 4 * 1024;
/** RLIMIT_CPU of a plugin process: its CPU budget, its start and a margin; the node stops it long before. */
const PLUGIN_CPU_RLIMIT_SECONDS = Math.ceil(PLUGIN_ACTION_CPU_MS / 1000) + 5;

type TLoadedPlugin = { manifest: TPluginManifest; code: string; filename: string };
export type TPluginSandbox = {
  /** The action's result; rejects with a RunFailure naming the plugin, the action and why. */
  call(plugin: string, action: string, inputs: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** files that could not be loaded, and why */
  errors: string[];
  /** kills the processes it started (the node is stopping) */
  close(): void;
};

/** `--permission` from node 22.13/23.5 on; the same model was `--experimental-permission` before. */
function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

/** One started plugin process, used for one action. */
class PluginProcess {
  readonly child: ChildProcess;
  /** resolves when the process is ready for its job; rejects when it cannot start */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private answer: Buffer[] = [];
  private answerBytes = 0;
  private stderr = '';
  /** why this side killed it, when it did */
  killedBecause?: string;

  constructor() {
    const command = [
      process.execPath,
      permissionFlag(),
      `--allow-fs-read=${PROCESS_SCRIPT}`,
      `--max-old-space-size=${PLUGIN_MEMORY_MB}`,
      '--max-semi-space-size=4',
      '--disallow-code-generation-from-strings',
      '--no-warnings',
      PROCESS_SCRIPT,
      String(MAX_PLUGIN_OUTPUT_BYTES),
    ];
    // no secrets: the plugin sees an empty environment
    const options: SpawnOptions = { stdio: 'pipe', env: {} as NodeJS.ProcessEnv, cwd: os.tmpdir() };
    // The kernel's CPU limit is the backstop for a process this side can no longer kill (the node
    // was killed with SIGKILL while an action spun): it cannot outlive its CPU budget by much.
    // `exec` keeps the pid, so /proc/<pid>/stat is the plugin's.
    this.child =
      process.platform === 'win32'
        ? spawn(command[0], command.slice(1), options)
        : spawn('/bin/sh', ['-c', `ulimit -t ${PLUGIN_CPU_RLIMIT_SECONDS} && exec "$0" "$@"`, ...command], options);
    let started = false;
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.once('error', (error) => reject(new Error(`its process could not start (${error.message})`)));
      this.child.once('exit', () =>
        reject(new Error(`its process ended before it was ready${this.stderr ? `: ${this.stderr.trim().split('\n')[0]}` : ''}`)),
      );
      this.child.stdout!.on('data', (chunk: Buffer) => {
        if (!started) {
          started = true;
          resolve();
          chunk = chunk.subarray(1); // the "R" that says it is ready
        }
        this.answerBytes += chunk.length;
        if (this.answerBytes > MAX_ANSWER_BYTES) this.kill(`it answered more than ${describeBytes(MAX_ANSWER_BYTES)}`);
        else this.answer.push(chunk);
      });
    });
    this.ready.catch(() => {}); // also observed by whoever uses the process
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      if (this.stderr.length < MAX_STDERR_CHARACTERS) this.stderr += chunk.slice(0, MAX_STDERR_CHARACTERS - this.stderr.length);
    });
    this.child.stdin!.on('error', () => {}); // a process that died does not read its job: its exit says why
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  kill(reason: string): void {
    this.killedBecause ??= reason;
    this.child.kill('SIGKILL');
  }

  /** Sends the job, waits for the answer within the action's time, and returns its text. */
  async run(job: string, signal: AbortSignal | undefined): Promise<string> {
    let startTimer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ready,
        new Promise((_, reject) => {
          startTimer = setTimeout(
            () => reject(new Error(`its process did not start within ${PLUGIN_START_TIMEOUT_MS} ms`)),
            PLUGIN_START_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      this.kill('it did not start');
      throw error;
    } finally {
      clearTimeout(startTimer);
    }
    const timer = setTimeout(
      () => this.kill(`it did not answer within ${PLUGIN_ACTION_TIMEOUT_MS} ms and was stopped`),
      PLUGIN_ACTION_TIMEOUT_MS,
    );
    // the CPU it used to start is not the action's
    const cpuAtStart = usageOf(this.child.pid!)?.cpuMs;
    const cpuCheck = setInterval(() => {
      const usage = usageOf(this.child.pid!);
      if (!usage || cpuAtStart === undefined) return;
      if (usage.residentMb > PLUGIN_RESIDENT_MB) this.kill(OUT_OF_MEMORY);
      else if (usage.cpuMs - cpuAtStart > PLUGIN_ACTION_CPU_MS)
        this.kill(`it used more than ${PLUGIN_ACTION_CPU_MS} ms of CPU time and was stopped`);
    }, CPU_CHECK_EVERY_MS);
    const onAbort = () => this.kill('the run is no longer executed here');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.child.stdin!.end(job);
      await this.exited;
    } finally {
      clearTimeout(timer);
      clearInterval(cpuCheck);
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.killedBecause) throw new Error(this.killedBecause);
    if (/heap out of memory|Allocation failed|memory limit/i.test(this.stderr)) {
      throw new Error(OUT_OF_MEMORY);
    }
    const text = Buffer.concat(this.answer).toString('utf8');
    if (text === '') {
      const { exitCode, signalCode } = this.child;
      if (exitCode === 0) throw new Error('it did not finish (it waits for something that never comes)');
      throw new Error(`its process ended without an answer (${signalCode ? `signal ${signalCode}` : `exit code ${exitCode}`})`);
    }
    return text;
  }
}

/** At most `limit` at once; the others wait their turn. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async take(): Promise<() => void> {
    if (this.used >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used += 1;
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.used -= 1;
    };
  }
}

function checkType(type: string, value: unknown): boolean {
  if (type === 'json') return value !== undefined;
  return typeof value === type;
}

class ProcessSandbox implements TPluginSandbox {
  private spare?: PluginProcess;
  private readonly live = new Set<PluginProcess>();
  private readonly slots = new Slots(MAX_PLUGIN_PROCESSES);
  private closed = false;

  constructor(
    private readonly plugins: Map<string, TLoadedPlugin>,
    readonly errors: string[],
  ) {}

  private start(): PluginProcess {
    const started = new PluginProcess();
    this.live.add(started);
    void started.exited.then(() => this.live.delete(started));
    return started;
  }

  /** The spare when it is still alive, and a new spare for the next action. */
  private take(): PluginProcess {
    const spare = this.spare?.alive ? this.spare : undefined;
    if (this.spare && !spare) this.spare.kill('stale');
    this.spare = this.start();
    return spare ?? this.start();
  }

  async call(pluginName: string, actionName: string, inputs: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const plugin = this.plugins.get(pluginName);
    if (!plugin) throw new RunFailure(`the plugin "${pluginName}" is not loaded on this node`);
    const action = plugin.manifest.actions.find((candidate) => candidate.name === actionName);
    if (!action) throw new RunFailure(`the plugin "${pluginName}" has no action "${actionName}"`);
    const name = `${pluginName}.${actionName}`;
    for (const [input, type] of Object.entries(action.inputs)) {
      if (!checkType(type, inputs[input])) throw new RunFailure(`input "${input}" of ${name} must be a ${type}`);
    }
    const input = JSON.stringify(inputs);
    if (byteLength(input) > MAX_VARIABLES_BYTES)
      throw new RunFailure(`the inputs of ${name} are over ${describeBytes(MAX_VARIABLES_BYTES)} as JSON`);
    if (this.closed) throw new RunFailure(`${name} was not run: the node is stopping`);

    const release = await this.slots.take();
    let text: string;
    try {
      if (signal?.aborted) throw new Error('the run is no longer executed here');
      text = await this.take().run(
        JSON.stringify({ code: plugin.code, filename: plugin.filename, action: actionName, input }),
        signal,
      );
    } catch (error) {
      throw new RunFailure(`${name} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      release();
    }
    return readAnswer(name, action.output, text);
  }

  close(): void {
    this.closed = true;
    for (const started of this.live) started.kill('the node is stopping');
  }
}

/** The process's answer: JSON text of { ok: "<JSON>" } or { error }, parsed and checked here. */
function readAnswer(name: string, outputType: string, text: string): unknown {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new RunFailure(`${name} failed: its process answered something that is not JSON`);
  }
  const { ok, error } = (answer ?? {}) as { ok?: unknown; error?: unknown };
  if (typeof error === 'string') throw new RunFailure(`${name} failed: ${error}`);
  if (typeof ok !== 'string') throw new RunFailure(`${name} failed: its process gave no result`);
  let value: unknown;
  try {
    value = JSON.parse(ok);
  } catch {
    throw new RunFailure(`${name} failed: its result is not JSON`);
  }
  if (!checkType(outputType, value))
    throw new RunFailure(`${name} returned a ${value === null ? 'null' : typeof value}, not a ${outputType}`);
  if (typeof value === 'string' && byteLength(value) > MAX_STRING_BYTES) {
    throw new RunFailure(
      `${name} returned a string of ${byteLength(value)} bytes; a string value is at most ${describeBytes(MAX_STRING_BYTES)} (${MAX_STRING_BYTES} bytes)`,
    );
  }
  return value;
}

export async function loadPluginSandbox(dataDir: string): Promise<TPluginSandbox> {
  const plugins = new Map<string, TLoadedPlugin>();
  const errors: string[] = [];
  let entries: string[] = [];
  try {
    entries = (await readdir(pluginsDir(dataDir))).filter((entry) => entry.endsWith(PLUGIN_FILE_EXTENSION));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(`plugins: ${(error as Error).message}`);
  }
  // a disabled plugin stays on disk and is not loaded (lib/plugins/plugin-switches.ts)
  const disabled = await readDisabledPlugins(dataDir);
  for (const entry of entries.filter((name) => !disabled.has(name.slice(0, -PLUGIN_FILE_EXTENSION.length)))) {
    try {
      // parsing compiles the code without running it; it runs only in a plugin process
      const pkg = parsePluginPackage(await readFile(`${pluginsDir(dataDir)}/${entry}`, 'utf8'));
      plugins.set(pkg.manifest.name, { manifest: pkg.manifest, code: pkg.code, filename: `${pkg.manifest.name}.orchplugin` });
    } catch (error) {
      errors.push(`${entry}: ${(error as Error).message}`);
    }
  }
  return new ProcessSandbox(plugins, errors);
}
