/**
 * The tests' TCP proxy (tests/helpers/tcp-proxy.ts) in front of a real echo server: latency in
 * one direction only adds to the round trip once, a stall holds every byte and resume() delivers
 * them in order, and a cut lets nothing through.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../helpers/tcp-proxy';
import { holdsFor, pollUntil } from '../helpers/poll';

let echo: net.Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await TcpProxy.start({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

/** A connection through the proxy and everything it received so far. */
async function connect(): Promise<{ socket: net.Socket; received: () => string }> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  return { socket, received: () => text };
}

async function roundTripMs(connection: Awaited<ReturnType<typeof connect>>, message: string): Promise<number> {
  const before = connection.received().length;
  const startedAt = performance.now();
  connection.socket.write(message);
  await pollUntil(() => connection.received().length >= before + message.length, {
    intervalMs: 5,
    what: `the echo of ${message}`,
  });
  return performance.now() - startedAt;
}

describe("the tests' TCP proxy", () => {
  it("delays only what the client sends with 'to-target': the round trip grows by the latency once", async () => {
    const connection = await connect();
    proxy.setLatency(150, 0, 'to-target');
    const oneWay = await roundTripMs(connection, 'a');
    proxy.setLatency(150, 0, 'both');
    const both = await roundTripMs(connection, 'b');
    proxy.setLatency(0);
    connection.socket.destroy();
    // a timer may fire up to a millisecond before its time as performance.now() counts it
    expect(oneWay).toBeGreaterThanOrEqual(150 - 2);
    expect(both).toBeGreaterThanOrEqual(300 - 4);
    expect(oneWay).toBeLessThan(both);
  });

  it('a stall holds every byte, and resume() delivers them all, in order', async () => {
    const connection = await connect();
    proxy.stall();
    for (const part of ['one ', 'two ', 'three']) connection.socket.write(part);
    // a reply would need the bytes to pass the stall: nothing for as long as it lasts
    await holdsFor(() => connection.received() === '', 300, 'nothing to come back during the stall', 10);
    proxy.resume();
    await pollUntil(() => connection.received() === 'one two three', { what: 'the held bytes' });
    connection.socket.destroy();
  });

  it('a cut lets nothing through until heal()', async () => {
    const connection = await connect();
    proxy.cut();
    connection.socket.write('lost');
    await holdsFor(() => connection.received() === '', 300, 'nothing to come back through the cut', 10);
    proxy.heal();
    const fresh = await connect();
    await roundTripMs(fresh, 'back');
    expect(fresh.received()).toBe('back');
    fresh.socket.destroy();
  });
});
