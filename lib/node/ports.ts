import net from 'node:net';

/** A TCP port that nothing listens on right now (the kernel picks it). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Why a server could not listen on `port` at `host` (every address when none): undefined when it could. */
export function listenProblem(port: number, host?: string): Promise<'in-use' | 'not-local' | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL' ? 'not-local' : 'in-use'));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** Whether a server could listen on `port` (on `host`, or on every address). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
