/**
 * The chaos runner's network: each node on a host of its own (a network namespace on a private
 * /24, tests/helpers/host-network.ts), reaching the database through a TCP proxy of its own on
 * the network's bridge (tests/helpers/tcp-proxy.ts), so that the runner can
 * - partition a node: its cable out (link down) — cut off from the database, the other nodes and
 *   the clients at once;
 * - slow its path to the database: 150 ms ± 50 ms more on every round trip (in the proxy; the
 *   kernel here has no netem);
 * - lose packets on that path: 5 % in each direction (iptables' statistic match in its namespace).
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
    private readonly proxies: Map<string, TcpProxy>,
  ) {}

  /** The network for these node names, or one line saying why it cannot be made here. */
  static async create(names: string[], database: { host: string; port: number }): Promise<ChaosNetwork | string> {
    let network: HostNetwork;
    try {
      network = await HostNetwork.create(names);
    } catch (error) {
      return (error as Error).message;
    }
    const proxies = new Map<string, TcpProxy>();
    try {
      for (const name of names) proxies.set(name, await TcpProxy.start(database, { listenHost: `${network.prefix}.1` }));
      // iptables must work in a namespace before any fault counts on it
      const first = { name: names[0], peer: { address: `${network.prefix}.1`, port: proxies.get(names[0])!.port } };
      await network.setLoss(first.name, first.peer, LOSS);
      await network.setLoss(first.name, first.peer, 0);
    } catch (error) {
      await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
      await network.destroy();
      return (error as Error).message;
    }
    return new ChaosNetwork(network, proxies);
  }

  get description(): string {
    return `each node on a host of its own on ${this.network.prefix}.0/24, the database behind a proxy on ${this.network.prefix}.1`;
  }

  host(name: string): { namespace: string; address: string } {
    const { namespace, address } = this.network.host(name);
    return { namespace, address };
  }

  /** DATABASE_URL with the host and port of NAME's proxy in place of the database's own. */
  databaseUrlFor(name: string, databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = `${this.network.prefix}.1`;
    url.port = String(this.proxy(name).port);
    return url.toString();
  }

  async partition(name: string, on: boolean): Promise<void> {
    await this.network.setLink(name, on ? 'down' : 'up');
  }

  latency(name: string, on: boolean): void {
    this.proxy(name).setLatency(on ? LATENCY_MS : 0, on ? JITTER_MS : 0, 'to-target');
  }

  async loss(name: string, on: boolean): Promise<void> {
    await this.network.setLoss(name, { address: `${this.network.prefix}.1`, port: this.proxy(name).port }, on ? LOSS : 0);
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    await this.network.destroy();
  }

  private proxy(name: string): TcpProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no host ${name} in the chaos network`);
    return proxy;
  }
}
