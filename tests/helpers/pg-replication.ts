/**
 * A real PostgreSQL 15 primary and streaming standby (Debian's binaries), on free loopback
 * ports, for tests of failover and multi-host connection strings. As root, every server command
 * runs as the `postgres` OS user, in a temporary directory it owns. `stop()` removes everything,
 * and `startReplicaPair` cleans up what it started when it fails half-way.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from '@/lib/node/ports';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import { pollUntil } from './poll';

const run = promisify(execFile);
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
export const STANDBY_NAME = 'standby1';

export type TPgServer = { name: string; port: number; dataDir: string };

export type TReplicaPairOptions = {
  /** synchronous_standby_names names the standby: a commit waits for it (default: asynchronous) */
  synchronous?: boolean;
  /** serve TLS with a self-signed certificate for 127.0.0.1 (its PEM in `certificateFile`) */
  tls?: boolean;
  /** the servers' max_connections (default 40) */
  maxConnections?: number;
};

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line)
    throw new Error('running as root but there is no "postgres" OS user to run PostgreSQL as (apt-get install -y postgresql-15)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export class ReplicaPair {
  readonly password = `pw-${Math.random().toString(36).slice(2)}`;
  private readonly ids = postgresIds();
  primary!: TPgServer;
  standby!: TPgServer;
  /** with `tls`: the servers' certificate, to name as sslrootcert */
  certificateFile?: string;

  constructor(
    readonly root: string,
    readonly options: TReplicaPairOptions,
  ) {}

  /** Runs a PostgreSQL program as the postgres user (as ourselves when not root); the password goes through the environment. */
  async pgRun(program: string, args: string[]): Promise<string> {
    const binary = path.join(PG15_BIN, program);
    const [command, argv] = this.ids ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    try {
      const { stdout } = await run(command, argv, { env: { ...process.env, PGPASSWORD: this.password }, cwd: this.root });
      return stdout;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`${program} ${args[0] ?? ''} failed: ${stderr?.trim() || (error as Error).message}`);
    }
  }

  private async own(target: string): Promise<void> {
    if (this.ids) await chown(target, this.ids.uid, this.ids.gid);
  }

  /** postgresql://postgres:…@127.0.0.1:P1,127.0.0.1:P2/database, hosts in the order given. */
  url(servers: TPgServer[], database = 'postgres', query = 'target_session_attrs=read-write&sslmode=disable'): string {
    return `postgresql://postgres:${this.password}@${servers.map((server) => `127.0.0.1:${server.port}`).join(',')}/${database}${query ? `?${query}` : ''}`;
  }

  /** A single-host URL, for plain pg clients. */
  singleUrl(server: TPgServer, database = 'postgres'): string {
    return `postgresql://postgres:${this.password}@127.0.0.1:${server.port}/${database}`;
  }

  async start(): Promise<void> {
    if (!existsSync(path.join(PG15_BIN, 'initdb')))
      throw new Error(`PostgreSQL 15 is not installed (${PG15_BIN}/initdb is missing): apt-get install -y postgresql-15`);
    await chmod(this.root, 0o755);
    await this.own(this.root);
    const socketDir = path.join(this.root, 'sockets');
    await run('mkdir', ['-p', socketDir]);
    await this.own(socketDir);
    const passwordFile = path.join(this.root, 'pwfile');
    await writeFile(passwordFile, `${this.password}\n`, { mode: 0o600 });
    await this.own(passwordFile);

    this.primary = { name: 'primary', port: await findFreePort(), dataDir: path.join(this.root, 'primary') };
    await this.pgRun('initdb', [
      '-D',
      this.primary.dataDir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${passwordFile}`,
      '--no-sync',
    ]);
    await rm(passwordFile);
    await appendFile(
      path.join(this.primary.dataDir, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${this.primary.port}`,
        `unix_socket_directories = '${socketDir}'`,
        `max_connections = ${this.options.maxConnections ?? 40}`,
        `shared_buffers = 16MB`,
        `fsync = off`,
        `wal_level = replica`,
        `max_wal_senders = 5`,
        this.options.synchronous ? `synchronous_standby_names = '${STANDBY_NAME}'` : '',
      ].join('\n') + '\n',
    );
    if (this.options.tls) await this.serveTls();
    await this.startServer(this.primary);

    this.standby = { name: 'standby', port: await findFreePort(), dataDir: path.join(this.root, 'standby') };
    await this.pgRun('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primary.port),
      '-U',
      'postgres',
      '-D',
      this.standby.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    // later lines win: the standby's own port, and a conninfo naming it for synchronous_standby_names
    // (the password comes from a passfile the standby owns, not from the conninfo)
    const passfile = path.join(this.root, 'pgpass');
    await writeFile(passfile, `127.0.0.1:${this.primary.port}:*:postgres:${this.password}\n`, { mode: 0o600 });
    await this.own(passfile);
    await appendFile(
      path.join(this.standby.dataDir, 'postgresql.auto.conf'),
      `port = ${this.standby.port}\nprimary_conninfo = 'host=127.0.0.1 port=${this.primary.port} user=postgres passfile=${passfile} application_name=${STANDBY_NAME}'\n`,
    );
    await this.startServer(this.standby);
    await pollUntil(
      async () => {
        const rows = await this.query(
          this.primary,
          `SELECT state FROM pg_stat_replication WHERE application_name = '${STANDBY_NAME}'`,
        );
        return rows[0]?.state === 'streaming';
      },
      { timeoutMs: 30_000, what: 'the standby to stream from the primary' },
    );
  }

  /** The certificate goes into the data directory, so pg_basebackup gives the standby the same one. */
  private async serveTls(): Promise<void> {
    const { certificate, privateKey } = await generateCertificate({
      commonName: 'orch-test-db',
      hosts: ['127.0.0.1', 'localhost'],
    });
    for (const [name, text] of [
      ['server.crt', certificate],
      ['server.key', privateKey],
    ] as const) {
      const file = path.join(this.primary.dataDir, name);
      await writeFile(file, text, { mode: 0o600 });
      await this.own(file);
    }
    this.certificateFile = path.join(this.root, 'ca.crt');
    await writeFile(this.certificateFile, certificate);
    await appendFile(
      path.join(this.primary.dataDir, 'postgresql.conf'),
      `ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n`,
    );
  }

  private async startServer(server: TPgServer): Promise<void> {
    await this.pgRun('pg_ctl', [
      '-D',
      server.dataDir,
      '-l',
      path.join(this.root, `${server.name}.log`),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** One query on one server, on a fresh connection. */
  async query(server: TPgServer, sql: string, database = 'postgres'): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: this.singleUrl(server, database), connectionTimeoutMillis: 3_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.query(sql)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  postmasterPid(server: TPgServer): number | undefined {
    const file = path.join(server.dataDir, 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  }

  /**
   * SIGKILL to the primary's postmaster and its backends at once: the host crashed, nothing shut
   * down (backends left alone would hold the shared memory and keep the server from starting
   * again). Waits until they are gone and the port is closed.
   */
  async killPrimary(): Promise<void> {
    const pid = this.postmasterPid(this.primary);
    if (!pid) throw new Error('the primary is not running');
    const group = [pid, ...childrenOf(pid)];
    for (const member of group) signal(member, 'SIGKILL');
    await pollUntil(() => group.every((member) => !alive(member)), {
      timeoutMs: 30_000,
      what: "the killed primary's processes to exit",
    });
    await pollUntil(
      async () => {
        try {
          await this.query(this.primary, 'SELECT 1');
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 30_000, what: 'the killed primary to stop answering' },
    );
  }

  /** Starts the killed primary again: after crash recovery it is a primary of its own (a split brain, on purpose). */
  async restartPrimary(): Promise<void> {
    await this.startServer(this.primary);
  }

  /**
   * pg_ctl promote on the standby; waits until it accepts writes. A synchronous pair's promoted
   * server has no standby left to wait for (its configuration came from the primary with
   * pg_basebackup): it stops waiting, as Patroni does when the synchronous standby is gone, or
   * every commit would hang.
   */
  async promote(): Promise<void> {
    await this.pgRun('pg_ctl', ['-D', this.standby.dataDir, '-w', '-t', '60', 'promote']);
    await pollUntil(async () => (await this.query(this.standby, 'SELECT pg_is_in_recovery() AS r'))[0]?.r === false, {
      timeoutMs: 30_000,
      what: 'the promoted standby to leave recovery',
    });
    if (this.options.synchronous) {
      await this.query(this.standby, `ALTER SYSTEM SET synchronous_standby_names = ''`);
      await this.query(this.standby, 'SELECT pg_reload_conf()');
    }
  }

  /**
   * After a failover (the primary killed, the standby promoted): the old primary's data directory
   * is rebuilt with pg_basebackup from the new primary and started as its streaming standby (on
   * its old port), and the two swap names, so that `primary` is the writable one again and the
   * same multi-host URL keeps working. A synchronous pair waits for the new standby again.
   */
  async rebuildOldPrimaryAsStandby(): Promise<void> {
    const [newPrimary, old] = [this.standby, this.primary];
    if (
      this.postmasterPid(old) &&
      (await this.query(old, 'SELECT 1').then(
        () => true,
        () => false,
      ))
    ) {
      await this.pgRun('pg_ctl', ['-D', old.dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']).catch(() => {});
    }
    await rm(old.dataDir, { recursive: true, force: true });
    await this.pgRun('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(newPrimary.port),
      '-U',
      'postgres',
      '-D',
      old.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    const passfile = path.join(this.root, `pgpass-${newPrimary.port}`);
    await writeFile(passfile, `127.0.0.1:${newPrimary.port}:*:postgres:${this.password}\n`, { mode: 0o600 });
    await this.own(passfile);
    await appendFile(
      path.join(old.dataDir, 'postgresql.auto.conf'),
      `port = ${old.port}\nsynchronous_standby_names = ''\nprimary_conninfo = 'host=127.0.0.1 port=${newPrimary.port} user=postgres passfile=${passfile} application_name=${STANDBY_NAME}'\n`,
    );
    await this.startServer(old);
    this.primary = newPrimary;
    this.standby = old;
    await pollUntil(
      async () =>
        (await this.query(this.primary, `SELECT state FROM pg_stat_replication WHERE application_name = '${STANDBY_NAME}'`))[0]
          ?.state === 'streaming',
      { timeoutMs: 60_000, what: 'the rebuilt standby to stream from the new primary' },
    );
    if (this.options.synchronous) {
      await this.query(this.primary, `ALTER SYSTEM SET synchronous_standby_names = '${STANDBY_NAME}'`);
      await this.query(this.primary, 'SELECT pg_reload_conf()');
    }
  }

  /**
   * The standby stops receiving WAL (its primary_conninfo is emptied), as a standby cut off or
   * far behind would: with asynchronous replication the primary goes on committing, and what it
   * commits from here on is lost when the standby is promoted. Waits until the primary sees no
   * standby.
   */
  async cutReplication(): Promise<void> {
    await this.query(this.standby, `ALTER SYSTEM SET primary_conninfo = ''`);
    await this.query(this.standby, 'SELECT pg_reload_conf()');
    await pollUntil(
      async () => (await this.query(this.primary, 'SELECT count(*)::int AS n FROM pg_stat_replication'))[0]?.n === 0,
      {
        timeoutMs: 30_000,
        what: 'the standby to stop streaming',
      },
    );
  }

  /** Stops both servers (immediate shutdown, then SIGKILL) and removes the directory; never throws. */
  async stop(): Promise<void> {
    for (const server of [this.standby, this.primary]) {
      if (!server) continue;
      await this.pgRun('pg_ctl', ['-D', server.dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']).catch(() => {});
      const pid = this.postmasterPid(server);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await rm(this.root, { recursive: true, force: true }).catch(() => {});
  }
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      // the parent pid is the 2nd field after the parenthesised command name
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a primary and a streaming standby; on failure, stops what started and rethrows. */
export async function startReplicaPair(options: TReplicaPairOptions = {}): Promise<ReplicaPair> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-pg15-'));
  const pair = new ReplicaPair(root, options);
  try {
    await pair.start();
    return pair;
  } catch (error) {
    await pair.stop();
    throw error;
  }
}
