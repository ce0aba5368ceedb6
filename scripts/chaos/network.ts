/**
 * The chaos runner's network: each node on a host of its own (a network namespace on a private
 * /24, tests/helpers/host-network.ts), reaching each database server (one, or a replicated
 * pair's two) through a TCP proxy of its own on the network's bridge (tests/helpers/tcp-proxy.ts),
 * so that the runner can
 * - partition a node: its cable out (link down) — cut off from the database, the other nodes and
 *   the clients at once;
 * - slow its path to the database: 150 ms ± 50 ms more on every round trip (in its proxies; the
 *   kernel here has no netem);
 * - lose packets on that path: 5 % in each direction (iptables' statistic match in its namespace).
 * A replicated pair's servers keep their ports across a failover (the old primary is rebuilt on
 * its own port), so each proxy keeps pointing at the same server and the node's multi-host URL,
 * made of its proxies in the same order, follows the writable one as it would without them.
 * Namespaces need root, iproute2 and iptables: where they cannot be made, `create` says why and
 * the runner goes on without network faults.
 */
import { HostNetwork } from '../../tests/helpers/host-network';
import { TcpProxy } from '../../tests/helpers/tcp-proxy';

export const LATENCY_MS = 150;
export const JITTER_MS = 50;
export const LOSS = 0.05;

export class ChaosNetwork {
  private constructor(
    private readonly network: HostNetwork,
    /** per node, one proxy per database server, in the order of `databases` */
    private readonly proxies: Map<string, TcpProxy[]>,
    private readonly databases: { host: string; port: number }[],
  ) {}

  /** The network for these node names and database servers, or one line saying why it cannot be made here. */
  static async create(names: string[], databases: { host: string; port: number }[]): Promise<ChaosNetwork | string> {
    let network: HostNetwork;
    try {
      network = await HostNetwork.create(names);
    } catch (error) {
      return (error as Error).message;
    }
    const proxies = new Map<string, TcpProxy[]>();
    try {
      for (const name of names) {
        proxies.set(name, []);
        for (const database of databases)
          proxies.get(name)!.push(await TcpProxy.start(database, { listenHost: `${network.prefix}.1` }));
      }
      // iptables must work in a namespace before any fault counts on it
      const first = { address: `${network.prefix}.1`, port: proxies.get(names[0])!.map((proxy) => proxy.port) };
      await network.setLoss(names[0], first, LOSS);
      await network.setLoss(names[0], first, 0);
    } catch (error) {
      await Promise.all([...proxies.values()].flat().map((proxy) => proxy.close()));
      await network.destroy();
      return (error as Error).message;
    }
    return new ChaosNetwork(network, proxies, databases);
  }

  get description(): string {
    const servers = this.databases.length === 1 ? 'the database' : `each of the ${this.databases.length} database servers`;
    return `each node on a host of its own on ${this.network.prefix}.0/24, ${servers} behind a proxy on ${this.network.prefix}.1`;
  }

  host(name: string): { namespace: string; address: string } {
    const { namespace, address } = this.network.host(name);
    return { namespace, address };
  }

  /**
   * DATABASE_URL with the host and port of NAME's proxy in place of each database server's own
   * (a multi-host URL keeps its order: host i becomes the proxy to server i).
   */
  databaseUrlFor(name: string, databaseUrl: string): string {
    const parts = /^([a-z]+:\/\/(?:[^@/]*@)?)([^/?#]+)(.*)$/.exec(databaseUrl);
    if (!parts) throw new Error('the chaos network cannot read the database URL');
    const [, head, hosts, tail] = parts;
    const proxied = hosts.split(',').map((hostPort) => {
      const index = this.databases.findIndex((database) => `${database.host}:${database.port}` === hostPort);
      if (index === -1) throw new Error(`the chaos network has no proxy to ${hostPort}`);
      return `${this.network.prefix}.1:${this.proxiesOf(name)[index].port}`;
    });
    return `${head}${proxied.join(',')}${tail}`;
  }

  async partition(name: string, on: boolean): Promise<void> {
    await this.network.setLink(name, on ? 'down' : 'up');
  }

  latency(name: string, on: boolean): void {
    for (const proxy of this.proxiesOf(name)) proxy.setLatency(on ? LATENCY_MS : 0, on ? JITTER_MS : 0, 'to-target');
  }

  async loss(name: string, on: boolean): Promise<void> {
    const ports = this.proxiesOf(name).map((proxy) => proxy.port);
    await this.network.setLoss(name, { address: `${this.network.prefix}.1`, port: ports }, on ? LOSS : 0);
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.proxies.values()].flat().map((proxy) => proxy.close()));
    await this.network.destroy();
  }

  private proxiesOf(name: string): TcpProxy[] {
    const proxies = this.proxies.get(name);
    if (!proxies) throw new Error(`no host ${name} in the chaos network`);
    return proxies;
  }
}
