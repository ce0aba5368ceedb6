/**
 * The database as operators run it: two PostgreSQL 15 servers managed by Debian's Patroni 3.0,
 * one etcd 3.4 member as Patroni's store, and HAProxy in front sending every connection to the
 * member whose REST API answers 200 to GET /primary. The configuration files are the repository's
 * templates (deploy/patroni/) with only their placeholders filled in. Everything listens on free
 * loopback ports and lives in one temporary directory; Patroni (and so PostgreSQL) runs as the
 * `postgres` OS user when the tests run as root. `stop()` ends every process and removes the
 * directory; `startPatroniCluster` cleans up what it started when it fails half-way, and its
 * error names what did not start, with the end of that component's log.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '@/lib/node/ports';
import { isAlive } from './node-process';
import { PG15_BIN } from './pg-replication';
import { pollUntil } from './poll';
import { processTree } from './processes';

const DEPLOY = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'patroni');
export const PATRONI_TEMPLATE = path.join(DEPLOY, 'patroni.yml');
export const HAPROXY_TEMPLATE = path.join(DEPLOY, 'haproxy.cfg');
const PROGRAMS = { etcd: '/usr/bin/etcd', patroni: '/usr/bin/patroni', haproxy: '/usr/sbin/haproxy' };
const PACKAGES = { etcd: 'etcd-server', patroni: 'patroni', haproxy: 'haproxy' };
const START_TIMEOUT_MS = 90_000;

export type TPatroniTimings = {
  /** seconds the leader key lives without renewal */
  ttl: number;
  /** seconds between two runs of each member's loop */
  loopWait: number;
  /** seconds Patroni retries etcd and PostgreSQL before the primary demotes itself */
  retryTimeout: number;
};

/** Short enough for a test, within Patroni's rule loop_wait + 2 × retry_timeout ≤ ttl. */
export const TEST_TIMINGS: TPatroniTimings = { ttl: 10, loopWait: 1, retryTimeout: 4 };

/** The template with every {{NAME}} replaced; fails naming a placeholder it has no value for, or a value the template lacks. */
export function fillTemplate(template: string, values: Record<string, string | number>, what: string): string {
  const missing = [...template.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).filter((name) => !(name in values));
  if (missing.length > 0) throw new Error(`${what}: no value for the placeholder(s) ${[...new Set(missing)].join(', ')}`);
  const unused = Object.keys(values).filter((name) => !template.includes(`{{${name}}}`));
  if (unused.length > 0) throw new Error(`${what} has no placeholder ${unused.map((name) => `{{${name}}}`).join(', ')}`);
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));
}

type TComponent = { name: string; child: ChildProcess; log: string; exited: Promise<number | null>; exitCode?: number | null };

export type TPatroniMember = {
  name: string;
  pgPort: number;
  restPort: number;
  /** the member's directory: data/, pgpass, its socket, patroni.yml, patroni.log */
  dir: string;
};

export type TPatroniStatus = { state?: string; role?: string; timeline?: number };

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line)
    throw new Error(
      'running as root but there is no "postgres" OS user to run Patroni and PostgreSQL as (apt-get install -y postgresql-15)',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The last lines of a component's log, to say why it did not start. */
export function tailOf(file: string, lines = 25): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const text = readFileSync(file, 'utf8').trimEnd();
  return text ? text.split('\n').slice(-lines).join('\n') : `(${file} is empty)`;
}

async function statusCode(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

export class PatroniCluster {
  /** the postgres role's password (Patroni's superuser); never in a file or an argument list */
  readonly superuserPassword = `su-${randomBytes(9).toString('hex')}`;
  private readonly replicationPassword = `rep-${randomBytes(9).toString('hex')}`;
  private readonly restapiPassword = `api-${randomBytes(9).toString('hex')}`;
  private readonly ids = postgresIds();
  private readonly components: TComponent[] = [];
  etcdPort = 0;
  haproxyPort = 0;
  haproxyStatsPort = 0;
  members: TPatroniMember[] = [];

  constructor(
    readonly root: string,
    readonly timings: TPatroniTimings,
  ) {}

  /** A URL through HAProxy as docs/operations.md gives the nodes: one host, asking for a writable server. */
  url(user: string, password: string, database: string): string {
    return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.haproxyPort}/${database}?target_session_attrs=read-write`;
  }

  /** The superuser's URL through HAProxy, for arranging roles and databases. */
  superuserUrl(database = 'postgres'): string {
    return this.url('postgres', this.superuserPassword, database);
  }

  async start(): Promise<void> {
    for (const [component, program] of Object.entries(PROGRAMS)) {
      if (!existsSync(program))
        throw new Error(
          `${component} is not installed (${program} is missing): apt-get install -y ${PACKAGES[component as keyof typeof PACKAGES]}`,
        );
    }
    if (!existsSync(path.join(PG15_BIN, 'postgres')))
      throw new Error(`PostgreSQL 15 is not installed (${PG15_BIN}/postgres is missing): apt-get install -y postgresql-15`);
    chmodSync(this.root, 0o755); // the postgres user passes through to its members' directories
    await this.startEtcd();
    this.members = [await this.prepareMember('pg1'), await this.prepareMember('pg2')];
    // the first member initialises the cluster; the second then clones it with pg_basebackup
    const [first, second] = this.members;
    await this.waitFor(
      this.startMember(first),
      `Patroni member ${first.name} to become the primary`,
      async () => (await this.restStatus(first, 'primary')) === 200,
    );
    await this.waitFor(
      this.startMember(second),
      `Patroni member ${second.name} to become the synchronous standby`,
      async () => (await this.restStatus(second, 'sync')) === 200,
    );
    await this.startHaproxy();
  }

  private spawnComponent(
    name: string,
    command: string,
    args: string[],
    options: { log: string; env?: Record<string, string | undefined>; asPostgres?: boolean },
  ): TComponent {
    const fd = openSync(options.log, 'a');
    if (options.asPostgres && this.ids) chownSync(options.log, this.ids.uid, this.ids.gid);
    const spawnOptions: SpawnOptions = {
      detached: true, // its own process group, so stop() can end it with everything it started
      stdio: ['ignore', fd, fd],
      // only what the component needs: none of the test's own environment
      env: (options.env ?? { PATH: process.env.PATH, LANG: 'C.UTF-8' }) as NodeJS.ProcessEnv,
    };
    if (options.asPostgres && this.ids) Object.assign(spawnOptions, { uid: this.ids.uid, gid: this.ids.gid });
    const child = spawn(command, args, spawnOptions);
    closeSync(fd);
    const component: TComponent = {
      name,
      child,
      log: options.log,
      exited: new Promise((resolve) =>
        child.once('exit', (code: number | null, signalName: NodeJS.Signals | null) => resolve(code ?? (signalName ? -1 : null))),
      ),
    };
    void component.exited.then((code) => (component.exitCode = code));
    child.once('error', () => {}); // reported through `exited` and the log
    this.components.push(component);
    return component;
  }

  /** Polls `check` until it holds; fails at once when the component exits, and with its log's end on either failure. */
  private async waitFor(component: TComponent, what: string, check: () => Promise<boolean>): Promise<void> {
    let reason: string | undefined;
    try {
      // a component that exits ends the wait at once
      await pollUntil(async () => component.exitCode !== undefined || (await check()), {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 250,
        what,
      });
      if (component.exitCode !== undefined) reason = `it exited (code ${component.exitCode}) while waiting for ${what}`;
    } catch (error) {
      reason = (error as Error).message;
    }
    if (reason)
      throw new Error(`${component.name} did not start: ${reason}\n--- end of ${component.log} ---\n${tailOf(component.log)}`);
  }

  private async startEtcd(): Promise<void> {
    const dataDir = path.join(this.root, 'etcd');
    this.etcdPort = await findFreePort();
    const peerPort = await findFreePort();
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const etcd = this.spawnComponent(
      'etcd',
      PROGRAMS.etcd,
      [
        '--name',
        'e1',
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `e1=${peer}`,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        path.basename(this.root),
      ],
      { log: path.join(this.root, 'etcd.log') },
    );
    await this.waitFor(etcd, `etcd to answer on ${client}/health`, async () => {
      try {
        const response = await fetch(`${client}/health`, { signal: AbortSignal.timeout(2_000) });
        return ((await response.json()) as { health?: string }).health === 'true';
      } catch {
        return false;
      }
    });
  }

  private async prepareMember(name: string): Promise<TPatroniMember> {
    const dir = path.join(this.root, name);
    mkdirSync(dir, { mode: 0o700 });
    if (this.ids) chownSync(dir, this.ids.uid, this.ids.gid);
    const member = { name, dir, pgPort: await findFreePort(), restPort: await findFreePort() };
    const config = fillTemplate(
      readFileSync(PATRONI_TEMPLATE, 'utf8'),
      {
        NAME: name,
        HOST: '127.0.0.1',
        REST_PORT: member.restPort,
        PG_PORT: member.pgPort,
        DIR: dir,
        ETCD_HOSTS: `127.0.0.1:${this.etcdPort}`,
        NETWORK: '127.0.0.1/32',
        TTL: this.timings.ttl,
        LOOP_WAIT: this.timings.loopWait,
        RETRY_TIMEOUT: this.timings.retryTimeout,
      },
      'deploy/patroni/patroni.yml',
    );
    writeFileSync(path.join(dir, 'patroni.yml'), config, { mode: 0o600 });
    if (this.ids) chownSync(path.join(dir, 'patroni.yml'), this.ids.uid, this.ids.gid);
    return member;
  }

  private startMember(member: TPatroniMember): TComponent {
    return this.spawnComponent(`Patroni member ${member.name}`, PROGRAMS.patroni, [path.join(member.dir, 'patroni.yml')], {
      log: path.join(member.dir, 'patroni.log'),
      asPostgres: true,
      // the passwords reach Patroni through its environment, as deploy/patroni/patroni.yml says
      env: {
        PATH: process.env.PATH,
        LANG: 'C.UTF-8',
        HOME: member.dir,
        PATRONI_SUPERUSER_PASSWORD: this.superuserPassword,
        PATRONI_REPLICATION_PASSWORD: this.replicationPassword,
        PATRONI_RESTAPI_USERNAME: 'patroni',
        PATRONI_RESTAPI_PASSWORD: this.restapiPassword,
      },
    });
  }

  private async startHaproxy(): Promise<void> {
    this.haproxyPort = await findFreePort();
    this.haproxyStatsPort = await findFreePort();
    const [first, second] = this.members;
    const configFile = path.join(this.root, 'haproxy.cfg');
    const config = fillTemplate(
      readFileSync(HAPROXY_TEMPLATE, 'utf8'),
      {
        LISTEN: `127.0.0.1:${this.haproxyPort}`,
        STATS_LISTEN: `127.0.0.1:${this.haproxyStatsPort}`,
        NAME1: first.name,
        HOST1: '127.0.0.1',
        PG_PORT1: first.pgPort,
        REST_PORT1: first.restPort,
        NAME2: second.name,
        HOST2: '127.0.0.1',
        PG_PORT2: second.pgPort,
        REST_PORT2: second.restPort,
      },
      'deploy/patroni/haproxy.cfg',
    );
    writeFileSync(configFile, config);
    const check = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const checker = spawn(PROGRAMS.haproxy, ['-c', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      checker.stdout.on('data', (chunk) => (output += chunk));
      checker.stderr.on('data', (chunk) => (output += chunk));
      checker.once('exit', (code) => resolve({ code, output }));
    });
    if (check.code !== 0)
      throw new Error(`haproxy did not start: haproxy -c refuses the filled deploy/patroni/haproxy.cfg:\n${check.output.trim()}`);
    // -db: stay in the foreground, so the process the test holds is HAProxy itself
    const haproxy = this.spawnComponent('haproxy', PROGRAMS.haproxy, ['-db', '-f', configFile], {
      log: path.join(this.root, 'haproxy.log'),
    });
    // every member counts as up until its first check fails: wait until only the primary does
    await this.waitFor(haproxy, `HAProxy on port ${this.haproxyPort} to count only the primary ${first.name} as up`, async () => {
      const up = await this.haproxyUp();
      return up?.length === 1 && up[0] === first.name && (await this.inRecovery()) === false;
    });
  }

  /** The members HAProxy sends connections to now (its stats page, as CSV: "UP", or "UP 1/2" while failing checks); undefined when it does not answer. */
  async haproxyUp(): Promise<string[] | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.haproxyStatsPort}/;csv`, { signal: AbortSignal.timeout(2_000) });
      const [header, ...rows] = (await response.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(','));
      const [proxy, server, status] = ['# pxname', 'svname', 'status'].map((column) => header.indexOf(column));
      return rows
        .filter(
          (row) => row[proxy] === 'orch-db' && !['FRONTEND', 'BACKEND'].includes(row[server]) && row[status].startsWith('UP'),
        )
        .map((row) => row[server]);
    } catch {
      return undefined;
    }
  }

  /** pg_is_in_recovery() of the server HAProxy leads to now; undefined when no connection gets through. */
  async inRecovery(): Promise<boolean | undefined> {
    const client = new pg.Client({ connectionString: this.superuserUrl(), connectionTimeoutMillis: 2_000, query_timeout: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
    } catch {
      return undefined;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** The HTTP status of GET /<check> on a member's REST API (200 or 503; undefined when it does not answer). */
  restStatus(member: TPatroniMember, check: 'primary' | 'replica' | 'sync' | 'health'): Promise<number | undefined> {
    return statusCode(`http://127.0.0.1:${member.restPort}/${check}`);
  }

  /** GET /patroni of a member: its role, state and timeline. */
  async memberStatus(member: TPatroniMember): Promise<TPatroniStatus | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${member.restPort}/patroni`, { signal: AbortSignal.timeout(2_000) });
      return (await response.json()) as TPatroniStatus;
    } catch {
      return undefined;
    }
  }

  /** The member whose REST API answers 200 to /primary now (what HAProxy routes to); undefined when none does. */
  async primary(): Promise<TPatroniMember | undefined> {
    const codes = await Promise.all(this.members.map((member) => this.restStatus(member, 'primary')));
    const primaries = this.members.filter((_, index) => codes[index] === 200);
    return primaries.length === 1 ? primaries[0] : undefined;
  }

  postmasterPid(member: TPatroniMember): number | undefined {
    const file = path.join(member.dir, 'data', 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return isAlive(pid) ? pid : undefined;
  }

  /**
   * SIGKILL to a member's postmaster and its backends at once (a crashed server: nothing shut
   * down; Patroni itself keeps running and notices). Waits until they are gone.
   */
  async killPostgres(member: TPatroniMember): Promise<void> {
    const pid = this.postmasterPid(member);
    if (!pid) throw new Error(`PostgreSQL of Patroni member ${member.name} is not running`);
    const group = processTree(pid);
    for (const target of group) signal(target, 'SIGKILL');
    await pollUntil(() => group.every((target) => !isAlive(target)), {
      timeoutMs: 30_000,
      what: `the killed PostgreSQL of ${member.name} to exit`,
    });
  }

  /** Every password the cluster was given, for checks that none of them leaks. */
  passwords(): string[] {
    return [this.superuserPassword, this.replicationPassword, this.restapiPassword];
  }

  /** The configuration files filled in from the templates. */
  configFiles(): string[] {
    return [...this.members.map((member) => path.join(member.dir, 'patroni.yml')), path.join(this.root, 'haproxy.cfg')];
  }

  /** Every process of the cluster now: each component with its descendants, and each member's PostgreSQL (Patroni starts it in a session of its own). */
  processIds(): number[] {
    const roots = [
      ...this.components.flatMap((component) =>
        component.exitCode === undefined && component.child.pid ? [component.child.pid] : [],
      ),
      ...this.members.flatMap((member) => this.postmasterPid(member) ?? []),
    ];
    return [...new Set(roots.flatMap((pid) => processTree(pid)))];
  }

  /** The end of every component's log, for a failed assertion's message. */
  logs(): string {
    return this.components
      .map((component) => `--- ${component.name} (${component.log}) ---\n${tailOf(component.log, 15)}`)
      .join('\n');
  }

  /**
   * HAProxy first (no new connections), then the Patroni members (each stops its PostgreSQL),
   * then etcd; whatever does not stop within its time is killed with its process group, and a
   * postmaster left behind by a killed Patroni is killed too. Never throws.
   */
  async stop(): Promise<void> {
    const byName = (prefix: string) => this.components.filter((component) => component.name.startsWith(prefix));
    for (const group of [byName('haproxy'), byName('Patroni'), byName('etcd')]) {
      await Promise.all(group.map((component) => stopComponent(component, 20_000)));
    }
    for (const member of this.members) {
      const pid = this.postmasterPid(member);
      if (pid) for (const target of processTree(pid)) signal(target, 'SIGKILL');
    }
    await rm(this.root, { recursive: true, force: true }).catch(() => {});
  }
}

async function stopComponent(component: TComponent, graceMs: number): Promise<void> {
  const { child } = component;
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  signal(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => signal(-child.pid!, 'SIGKILL'), graceMs);
  await component.exited;
  clearTimeout(timer);
  signal(-child.pid, 'SIGKILL'); // anything of its group still running
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Starts etcd, two Patroni members and HAProxy; on failure, stops what started and rethrows. */
export async function startPatroniCluster(timings: TPatroniTimings = TEST_TIMINGS): Promise<PatroniCluster> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-patroni-'));
  const cluster = new PatroniCluster(root, timings);
  try {
    await cluster.start();
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
