/**
 * Separate hosts on one machine: a network namespace per host, each with one veth link to a
 * bridge on a private /24 that the test owns (10.203.X.0/24, X picked free per network). The test
 * process reaches every host through the bridge's own address (.1). Names carry a random id, so
 * runs never collide, and `destroy()` removes every namespace and link, even after a failure.
 *
 * Each host's identity on the network is its own address: a node there listens on it (or on
 * every interface, where eth0 is the only non-loopback one) and advertises it. The namespaces
 * share the machine's host name (`ip netns exec` keeps the UTS namespace), so names are not used.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { applyMigrations } from '@/lib/db/migrate';
import { NodeProcess, ROOT_PASSWORD } from './node-process';
import { pollUntil } from './poll';

const run = promisify(execFile);
const ORCHCTL = path.resolve(import.meta.dirname, '..', '..', 'bin', 'orchctl.mjs');
const PG_BIN = '/usr/lib/postgresql/15/bin';

async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

async function iptables(namespace: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', namespace, 'iptables', '-w', ...args]).catch((error: Error & { stderr?: string }) => {
    throw new Error(
      `iptables ${args.join(' ')} in ${namespace} failed (these tests need iptables with the statistic match): ${error.stderr?.trim() || error.message}`,
    );
  });
}

export type THost = { name: string; namespace: string; address: string; link: string };

export class HostNetwork {
  readonly hosts = new Map<string, THost>();
  private readonly lossRules = new Map<string, string[][]>();
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  private constructor(
    readonly id: string,
    readonly prefix: string,
  ) {}

  get bridge(): string {
    return `obr${this.id}`;
  }

  /**
   * Makes the bridge and one namespace per name. Throws one line saying why when namespaces
   * cannot be made here (not root, no iproute2, no veth): the test then fails, it is not skipped.
   */
  static async create(names: string[]): Promise<HostNetwork> {
    // test files in parallel may pick the same free /24 at the same moment: the one that finds
    // its prefix on another link as well after taking it gives it up and picks again
    for (let attempt = 1; ; attempt += 1) {
      const used = await ip('-4', 'addr').catch((error: Error) => {
        throw new Error(`separate hosts need iproute2 (\`ip\`): ${error.message}`);
      });
      const free = Array.from({ length: 254 }, (_, index) => index + 1).filter((x) => !used.includes(`10.203.${x}.`));
      if (free.length === 0) throw new Error('no free 10.203.X.0/24 for the test network');
      const third = free[randomBytes(1)[0] % free.length];
      const network = new HostNetwork(randomBytes(3).toString('hex'), `10.203.${third}`);
      try {
        await network.build(names);
      } catch (error) {
        await network.destroy();
        const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
        throw new Error(`network namespaces cannot be made here (run as root with iproute2 and veth/bridge support): ${detail}`);
      }
      if (attempt < 5 && (await ip('-4', 'addr')).split(`inet ${network.prefix}.1/`).length > 2) {
        await network.destroy();
        continue;
      }
      return network;
    }
  }

  private async build(names: string[]): Promise<void> {
    await ip('link', 'add', this.bridge, 'type', 'bridge');
    this.cleanups.push(() => ip('link', 'del', this.bridge));
    await ip('addr', 'add', `${this.prefix}.1/24`, 'dev', this.bridge);
    await ip('link', 'set', this.bridge, 'up');
    for (const [index, name] of names.entries()) {
      const namespace = `orch-${this.id}-${name}`;
      const link = `ov${this.id}${index}`;
      const peer = `oh${this.id}${index}`;
      await ip('netns', 'add', namespace);
      this.cleanups.push(() => ip('netns', 'del', namespace));
      await ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer);
      // deleting the namespace deletes the peer, and with it this end; this covers a failure in between
      this.cleanups.push(() => ip('link', 'del', link).catch(() => {}));
      await ip('link', 'set', peer, 'netns', namespace);
      await ip('netns', 'exec', namespace, 'ip', 'link', 'set', peer, 'name', 'eth0');
      const address = `${this.prefix}.${10 + index}`;
      await ip('netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('netns', 'exec', namespace, 'ip', 'link', 'set', 'eth0', 'up');
      await ip('netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');
      await ip('link', 'set', link, 'master', this.bridge);
      await ip('link', 'set', link, 'up');
      this.hosts.set(name, { name, namespace, address, link });
    }
  }

  host(name: string): THost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in this network`);
    return host;
  }

  /** The host's cable out (its bridge port down) or back in. */
  async setLink(name: string, state: 'up' | 'down'): Promise<void> {
    await ip('link', 'set', this.host(name).link, state);
  }

  /**
   * Cuts (or restores) only the path between two hosts, in both directions: a "prohibit" route
   * for the other's address in each namespace (a /32 route wins over the /24 on the link).
   */
  async setPath(a: string, b: string, state: 'cut' | 'open'): Promise<void> {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      await ip(
        'netns',
        'exec',
        this.host(from).namespace,
        'ip',
        'route',
        state === 'cut' ? 'add' : 'del',
        'prohibit',
        `${this.host(to).address}/32`,
      );
    }
  }

  /**
   * Real packet loss on one host: iptables' `statistic` match in the host's namespace drops each
   * packet of the traffic with PEER (its TCP PORT there, or each of its PORTS, when given), in both
   * directions, with PROBABILITY; 0 removes the rules. The namespace's own iptables: nothing
   * outside it changes.
   */
  async setLoss(name: string, peer: { address: string; port?: number | number[] }, probability: number): Promise<void> {
    const host = this.host(name);
    for (const rule of this.lossRules.get(name) ?? []) await iptables(host.namespace, '-D', ...rule);
    this.lossRules.delete(name);
    if (probability <= 0) return;
    const odds = ['-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP'];
    const ports = peer.port === undefined ? [undefined] : [peer.port].flat();
    const port = (flag: string, value: number | undefined) => (value === undefined ? [] : ['-p', 'tcp', flag, String(value)]);
    const rules = ports.flatMap((value) => [
      ['OUTPUT', '-d', peer.address, ...port('--dport', value), ...odds],
      ['INPUT', '-s', peer.address, ...port('--sport', value), ...odds],
    ]);
    for (const rule of rules) await iptables(host.namespace, '-A', ...rule);
    this.lossRules.set(name, rules);
  }

  /**
   * A host firewall: the host accepts new TCP connections on PORTS only (and anything on its
   * loopback, and the replies to what it sent); every other packet that arrives is dropped.
   */
  async allowOnly(name: string, ports: number[]): Promise<void> {
    const { namespace } = this.host(name);
    await iptables(namespace, '-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT');
    await iptables(namespace, '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
    for (const port of ports) await iptables(namespace, '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'ACCEPT');
    await iptables(namespace, '-P', 'INPUT', 'DROP');
  }

  /** How many packets setLoss()'s rules on host NAME have dropped so far (the loss is real). */
  async droppedPackets(name: string): Promise<number> {
    const { stdout } = await run('ip', ['netns', 'exec', this.host(name).namespace, 'iptables', '-w', '-L', '-n', '-v', '-x']);
    return stdout
      .split('\n')
      .filter((line) => line.includes('statistic') && line.includes('DROP'))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
  }

  /** Every namespace and link this network made; errors of one step do not stop the others. */
  async destroy(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => {});
    this.cleanups.length = 0;
  }
}

/** Debian's PostgreSQL 15 in a host's namespace, trusting the test's own /24 (no password to pass around). */
export class HostDatabase {
  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    private readonly dir: string,
    readonly url: string,
    private readonly exited: Promise<unknown>,
  ) {}

  static async start(network: HostNetwork, hostName: string): Promise<HostDatabase> {
    const host = network.host(hostName);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-hosts-pg-'));
    await chown(dir, ...(await postgresIds()));
    const data = path.join(dir, 'data');
    await run('runuser', ['-u', 'postgres', '--', `${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await appendFile(path.join(data, 'pg_hba.conf'), `host all all ${network.prefix}.0/24 trust\n`);
    await writeFile(
      path.join(data, 'postgresql.auto.conf'),
      `listen_addresses = '${host.address}'\nport = 5432\nunix_socket_directories = '${dir}'\nfsync = off\nsynchronous_commit = off\n`,
    );
    const child = spawn(
      'ip',
      ['netns', 'exec', host.namespace, 'runuser', '-u', 'postgres', '--', `${PG_BIN}/postgres`, '-D', data],
      {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    child.stderr?.on('data', (chunk) => (log += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const serverUrl = `postgresql://postgres@${host.address}:5432/postgres`;
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`PostgreSQL ended: ${log}`);
        const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 1_000 });
        await client.connect();
        await client.query(`CREATE DATABASE orch`).finally(() => client.end());
        return true;
      },
      { what: `PostgreSQL on ${host.address}`, timeoutMs: 30_000 },
    );
    const url = `postgresql://postgres@${host.address}:5432/orch`;
    await applyMigrations(url);
    return new HostDatabase(child, dir, url, exited);
  }

  async stop(): Promise<void> {
    try {
      process.kill(-this.child.pid!, 'SIGINT'); // PostgreSQL's fast shutdown
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000);
    await this.exited;
    clearTimeout(timer);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}

export type THostNodeOptions = {
  network: HostNetwork;
  host: string;
  databaseUrl?: string;
  name: string;
  port?: number;
  dataDir?: string;
  /** --listen; null: none (every interface) */
  listen?: string | null;
  /** --advertise; none: the node chooses */
  advertise?: string;
  env?: Record<string, string>;
};

/** `orchctl node start` inside a host's namespace; reached by the test at the host's address. */
export async function startHostNode(options: THostNodeOptions): Promise<NodeProcess> {
  const host = options.network.host(options.host);
  const port = options.port ?? 3000;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), `orch-host-${options.host}-`)));
  const args = [ORCHCTL, 'node', 'start', '--port', String(port), '--data-dir', dataDir, '--name', options.name];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const listen = options.listen === undefined ? host.address : options.listen;
  if (listen !== null) args.push('--listen', listen);
  if (options.advertise) args.push('--advertise', options.advertise);
  // `ip netns exec` executes node in place: the pid (and process group) is the node's own
  const child = spawn('ip', ['netns', 'exec', host.namespace, process.execPath, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ORCH_ROOT_PASSWORD: ROOT_PASSWORD, NEXT_TELEMETRY_DISABLED: '1', ...options.env },
  });
  const node = new NodeProcess(child, port, dataDir, host.address);
  await Promise.race([
    pollUntil(() => fetch(`${node.url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok), {
      timeoutMs: 90_000,
      what: `node ${options.name} on ${node.url}`,
    }),
    node.exited.then((code) => {
      throw new Error(`node ${options.name} exited (${code}) before it was ready:\n${node.output()}`);
    }),
  ]);
  return node;
}
