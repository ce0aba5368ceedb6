/**
 * A TCP proxy between one node and the database, to cut the network between them without
 * killing anything: `cut()` drops every byte in both directions (connections stay open and
 * hang, as on a real partition, and new ones connect but get nothing); `heal()` closes the
 * hung connections so that clients reconnect, and forwards again. `setLatency()` delays every
 * chunk in each direction (a slow or distant link), keeping the order of the bytes.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket | null]>();
  private isCut = false;
  private latency = { ms: 0, jitterMs: 0 };

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Each chunk is delivered MS (± JITTER_MS, uniformly) after it arrived, in each direction; 0 forwards at once. */
  setLatency(ms: number, jitterMs = 0): void {
    this.latency = { ms, jitterMs };
  }

  cut(): void {
    this.isCut = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe();
      upstream?.unpipe();
      client.removeAllListeners('data');
      upstream?.removeAllListeners('data');
      // read and drop: nothing gets through, and nothing is closed
      client.on('data', () => {});
      upstream?.on('data', () => {});
    }
  }

  heal(): void {
    this.isCut = false;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.heal();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.isCut) {
      const pair: [net.Socket, null] = [client, null];
      this.pairs.add(pair);
      client.on('data', () => {});
      client.on('close', () => this.pairs.delete(pair));
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => client.destroy());
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    this.forward(client, upstream);
    this.forward(upstream, client);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
  }

  private forward(from: net.Socket, to: net.Socket): void {
    let lastDueAt = 0;
    from.on('data', (chunk: Buffer) => {
      const { ms, jitterMs } = this.latency;
      if (ms === 0 && jitterMs === 0 && lastDueAt <= performance.now()) {
        to.write(chunk);
        return;
      }
      // never before an earlier chunk: a TCP stream keeps its order whatever the delay
      const dueAt = Math.max(performance.now() + ms + (Math.random() * 2 - 1) * jitterMs, lastDueAt);
      lastDueAt = dueAt;
      setTimeout(() => {
        if (!this.isCut && !to.destroyed) to.write(chunk);
      }, dueAt - performance.now());
    });
  }
}
