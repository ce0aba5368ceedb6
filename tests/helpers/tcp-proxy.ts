/**
 * A TCP proxy between one node and the database, to cut the network between them without
 * killing anything: `cut()` drops every byte in both directions (connections stay open and
 * hang, as on a real partition, and new ones connect but get nothing); `heal()` closes the
 * hung connections so that clients reconnect, and forwards again. `setLatency()` delays every
 * chunk (a slow or distant link), keeping the order of the bytes. `stall()` holds every byte in
 * both directions until `resume()` delivers them, in order (a link that stops for a while and
 * loses nothing). The kernel here has no `netem`: this is where delay, jitter and stalls come from.
 *
 * By default the proxy listens on 127.0.0.1; `listenHost` puts it on another address of the
 * machine, e.g. the test network's bridge (tests/helpers/host-network.ts), so that a node in a
 * namespace of its own reaches the database through it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket | null]>();
  private isCut = false;
  private latency: { ms: number; jitterMs: number; directions: TDirections } = { ms: 0, jitterMs: 0, directions: 'both' };
  private isStalled = false;
  /** what each direction of each connection holds while stalled: delivered by resume() */
  private readonly releases = new Set<() => void>();

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }, options: { listenHost?: string } = {}): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, options.listenHost ?? '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Each chunk is delivered MS (± JITTER_MS, uniformly) after it arrived; 0 forwards at once.
   * DIRECTIONS 'to-target' delays only what the client sends (as netem on the client's interface
   * would: the round trip grows by MS ± JITTER_MS); 'both' delays each direction.
   */
  setLatency(ms: number, jitterMs = 0, directions: TDirections = 'both'): void {
    this.latency = { ms, jitterMs, directions };
  }

  /** Holds every byte, in both directions, of every connection (new ones too) until resume(). */
  stall(): void {
    this.isStalled = true;
  }

  /** Delivers what stall() held, in order, and forwards again. */
  resume(): void {
    this.isStalled = false;
    for (const release of [...this.releases]) release();
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
    this.forward(client, upstream, 'to-target');
    this.forward(upstream, client, 'to-client');
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
  }

  private forward(from: net.Socket, to: net.Socket, direction: 'to-target' | 'to-client'): void {
    let lastDueAt = 0;
    const held: Buffer[] = [];
    const deliver = (chunk: Buffer) => {
      const { ms, jitterMs, directions } = this.latency;
      const delayed = directions === 'both' || directions === direction;
      if ((!delayed || (ms === 0 && jitterMs === 0)) && lastDueAt <= performance.now()) {
        to.write(chunk);
        return;
      }
      // never before an earlier chunk: a TCP stream keeps its order whatever the delay
      const delay = delayed ? ms + (Math.random() * 2 - 1) * jitterMs : 0;
      const dueAt = Math.max(performance.now() + delay, lastDueAt);
      lastDueAt = dueAt;
      setTimeout(() => {
        if (!this.isCut && !to.destroyed) to.write(chunk);
      }, dueAt - performance.now());
    };
    const release = () => {
      for (const chunk of held.splice(0)) deliver(chunk);
    };
    this.releases.add(release);
    from.once('close', () => this.releases.delete(release));
    from.on('data', (chunk: Buffer) => {
      if (this.isStalled) held.push(chunk);
      else deliver(chunk);
    });
  }
}

type TDirections = 'both' | 'to-target' | 'to-client';
